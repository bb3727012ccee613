"""Regressions: phrasings that once gave a wrong or no relation (found by review).

Each case: text, triples that must be there, triples that must not. Names may be
any of an entity's names. Run with the blank and the trained pipeline.
"""

import pytest

import graph
from conftest import require_model

cases = [
 ("Quintel Corp. was acquired by Zorblax Holdings in 2023.", [("Zorblax Holdings","acquired","Quintel")], [("Quintel","acquired","Zorblax Holdings")]),
 ("Huawei was blacklisted by the Commerce Department in 2019.", [("U.S. Commerce Department","restricts","Huawei")], [("Huawei","restricts","U.S. Commerce Department")]),
 ("The QX900 accelerators were banned by the Commerce Department in October.", [("U.S. Commerce Department","restricts","QX900")], []),
 ("China banned Micron Technology's chips from critical infrastructure.", [("China","restricts","Micron Technology")], []),
 ("Former Microsoft CEO Steve Ballmer bought a basketball team.", [], [("Steve Ballmer","ceoOf","Microsoft")]),
 ("Andrej Karpathy, who worked at Tesla on Autopilot, left.", [("Andrej Karpathy","employeeOf","Tesla")], []),
 ("Zorblax Labs co-founder Marisol Quintero left the board.", [("Zorblax Labs","foundedBy","Marisol Quintero")], []),
 ("SK Hynix is the main supplier to Nvidia.", [("SK Hynix","supplierOf","Nvidia")], []),
 ("Quintel Corp. counts Amazon and Meta Platforms among its customers.", [("Quintel","supplierOf","Amazon"),("Quintel","supplierOf","Meta Platforms")], []),
 ("Zorblax Labs' backers include Nvidia and Accel.", [("Nvidia","backerOf","Zorblax Labs")], []),
 ("Anthropic's flagship model, Claude Opus 6, launched today.", [("Anthropic","developerOf","Claude Opus 6")], []),
 ("Qwen 9, Alibaba Group's newest open-weight model, was released.", [("Alibaba Group","developerOf","Qwen 9")], []),
 ("Apple is a customer of the maker of the Snapdragon chips.", [], [("Apple","manufacturerOf","Snapdragon"),("Apple","developerOf","Snapdragon")]),
 ("Microsoft, the largest investor in the maker of ChatGPT, said so.", [], [("Microsoft","developerOf","ChatGPT")]),
 ("Quintel Corp. said a partner of Project Halcyon had quit.", [], [("Quintel","partnerIn","Project Halcyon")]),
 ("A Taipei-based analyst said Quintel Corp. would miss its targets.", [], [("Quintel","headquarteredIn","Taipei")]),
 ("The company has offices in Tokyo, Seoul and Singapore.", [], [("Tokyo","locatedIn","Seoul")]),
 ("Zorblax Labs invested $500 million in Nvidia GPUs.", [], [("Zorblax Labs","investsIn","Nvidia")]),
 ("Microsoft's criticism of InfiniBand grew.", [], [("Microsoft","uses","InfiniBand")]),
 ("Nvidia said that H20 exports to China would require a license.", [], [("Nvidia","restricts","H20")]),
 ("Quintel Corp., a possible backer of Zorblax Labs, declined to comment.", [], [("Quintel","backerOf","Zorblax Labs")]),
 ("Zorblax Holdings and Quintel Corp. signed a deal.", [], []),
 ("Quintel Corp., the Austin-based chip startup, raised money.", [("Quintel","headquarteredIn","Austin")], []),
 ("Exports of Nvidia chips fell.", [], []),
 ("Nvidia's products include the H200 and the B200.", [("Nvidia","manufacturerOf","H200"), ("Nvidia","manufacturerOf","B200")], []),
 ("Microsoft-backed OpenAI released GPT-5.", [("Microsoft","backerOf","OpenAI")], []),
 ("Google-owned DeepMind built Gemini.", [("Google DeepMind","subsidiaryOf","Google")], [("Google DeepMind","manufacturerOf","Gemini"), ("Google DeepMind","uses","Gemini")]),
 ("Zorblax Labs raised $50 million from investors including Sequoia Capital and Nvidia.", [("Nvidia","investsIn","Zorblax Labs"), ("Sequoia Capital","backerOf","Zorblax Labs")], []),
 ("Broadcom completed its acquisition of VMware in November.", [("Broadcom","acquired","VMware")], []),
 ("AMD and Nvidia compete in AI accelerators.", [("AMD","competitorOf","Nvidia")], []),
 ("CoreWeave relies on Nvidia for its GPUs.", [("Nvidia","supplierOf","CoreWeave")], []),
 ("CoreWeave uses Nvidia chips in its data centers.", [("Nvidia","supplierOf","CoreWeave")], [("CoreWeave","supplierOf","Nvidia")]),
 ("The Claude model from Anthropic is popular.", [("Anthropic","developerOf","Claude")], []),
]


@pytest.mark.parametrize("model", ["blank", "model"])
@pytest.mark.parametrize("text, want, reject", cases, ids=[c[0][:40] for c in cases])
def test_relate_regression(text, want, reject, model):
    if model == "model":
        require_model()
    kg = graph.build([text], model=None if model == "model" else "blank")
    names = {n.casefold(): e.label for e in kg.entities for n in e.names}
    t = kg.triples()

    def has(s, p, o):
        return (names.get(s.casefold(), s), p, names.get(o.casefold(), o)) in t

    assert [w for w in want if not has(*w)] == [], sorted(t)
    assert [r for r in reject if has(*r)] == [], sorted(t)
