// Run from this folder, after schema.cypher.
COPY Entity FROM (
  LOAD WITH HEADERS (_id STRING, _labels STRING, _label STRING, _type STRING, _aliases STRING, _wikidata STRING, _parameter_count INT64, _market_share DOUBLE, _mention_count INT64)
  FROM "nodes.csv" (HEADER=true, DELIM=',', QUOTE='"', ESCAPE='"', PARALLEL=false)
  RETURN _id,
    CASE WHEN _labels IS NULL THEN NULL ELSE string_split(_labels, ';') END,
    CASE WHEN starts_with(_label, "'") THEN substring(_label, 2, size(_label)) ELSE _label END,
    CASE WHEN starts_with(_type, "'") THEN substring(_type, 2, size(_type)) ELSE _type END,
    CASE WHEN _aliases IS NULL THEN NULL ELSE list_transform(string_split(_aliases, ';'), x -> CASE WHEN starts_with(x, "'") THEN substring(x, 2, size(x)) ELSE x END) END,
    CASE WHEN starts_with(_wikidata, "'") THEN substring(_wikidata, 2, size(_wikidata)) ELSE _wikidata END,
    _parameter_count,
    _market_share,
    _mention_count
);
COPY PARTNER_IN FROM (
  LOAD WITH HEADERS (_from STRING, _to STRING, _predicate STRING, _confidence DOUBLE, _sentence STRING, _document STRING, _document_title STRING, _document_date STRING, _document_url STRING, _rule STRING, _char_start INT64, _char_end INT64, _evidence_count INT64, _evidence STRING, _amount DOUBLE, _currency STRING, _count INT64, _date STRING)
  FROM "relationships_PARTNER_IN.csv" (HEADER=true, DELIM=',', QUOTE='"', ESCAPE='"', PARALLEL=false)
  RETURN _from,
    _to,
    CASE WHEN starts_with(_predicate, "'") THEN substring(_predicate, 2, size(_predicate)) ELSE _predicate END,
    _confidence,
    CASE WHEN starts_with(_sentence, "'") THEN substring(_sentence, 2, size(_sentence)) ELSE _sentence END,
    CASE WHEN starts_with(_document, "'") THEN substring(_document, 2, size(_document)) ELSE _document END,
    CASE WHEN starts_with(_document_title, "'") THEN substring(_document_title, 2, size(_document_title)) ELSE _document_title END,
    CASE WHEN starts_with(_document_date, "'") THEN substring(_document_date, 2, size(_document_date)) ELSE _document_date END,
    CASE WHEN starts_with(_document_url, "'") THEN substring(_document_url, 2, size(_document_url)) ELSE _document_url END,
    CASE WHEN starts_with(_rule, "'") THEN substring(_rule, 2, size(_rule)) ELSE _rule END,
    _char_start,
    _char_end,
    _evidence_count,
    CASE WHEN starts_with(_evidence, "'") THEN substring(_evidence, 2, size(_evidence)) ELSE _evidence END,
    _amount,
    CASE WHEN starts_with(_currency, "'") THEN substring(_currency, 2, size(_currency)) ELSE _currency END,
    _count,
    CASE WHEN starts_with(_date, "'") THEN substring(_date, 2, size(_date)) ELSE _date END
);
COPY SUPPLIER_OF FROM (
  LOAD WITH HEADERS (_from STRING, _to STRING, _predicate STRING, _confidence DOUBLE, _sentence STRING, _document STRING, _document_title STRING, _document_date STRING, _document_url STRING, _rule STRING, _char_start INT64, _char_end INT64, _evidence_count INT64, _evidence STRING, _amount DOUBLE, _currency STRING, _count INT64, _date STRING)
  FROM "relationships_SUPPLIER_OF.csv" (HEADER=true, DELIM=',', QUOTE='"', ESCAPE='"', PARALLEL=false)
  RETURN _from,
    _to,
    CASE WHEN starts_with(_predicate, "'") THEN substring(_predicate, 2, size(_predicate)) ELSE _predicate END,
    _confidence,
    CASE WHEN starts_with(_sentence, "'") THEN substring(_sentence, 2, size(_sentence)) ELSE _sentence END,
    CASE WHEN starts_with(_document, "'") THEN substring(_document, 2, size(_document)) ELSE _document END,
    CASE WHEN starts_with(_document_title, "'") THEN substring(_document_title, 2, size(_document_title)) ELSE _document_title END,
    CASE WHEN starts_with(_document_date, "'") THEN substring(_document_date, 2, size(_document_date)) ELSE _document_date END,
    CASE WHEN starts_with(_document_url, "'") THEN substring(_document_url, 2, size(_document_url)) ELSE _document_url END,
    CASE WHEN starts_with(_rule, "'") THEN substring(_rule, 2, size(_rule)) ELSE _rule END,
    _char_start,
    _char_end,
    _evidence_count,
    CASE WHEN starts_with(_evidence, "'") THEN substring(_evidence, 2, size(_evidence)) ELSE _evidence END,
    _amount,
    CASE WHEN starts_with(_currency, "'") THEN substring(_currency, 2, size(_currency)) ELSE _currency END,
    _count,
    CASE WHEN starts_with(_date, "'") THEN substring(_date, 2, size(_date)) ELSE _date END
);
COPY MANUFACTURER_OF FROM (
  LOAD WITH HEADERS (_from STRING, _to STRING, _predicate STRING, _confidence DOUBLE, _sentence STRING, _document STRING, _document_title STRING, _document_date STRING, _document_url STRING, _rule STRING, _char_start INT64, _char_end INT64, _evidence_count INT64, _evidence STRING, _amount DOUBLE, _currency STRING, _count INT64, _date STRING)
  FROM "relationships_MANUFACTURER_OF.csv" (HEADER=true, DELIM=',', QUOTE='"', ESCAPE='"', PARALLEL=false)
  RETURN _from,
    _to,
    CASE WHEN starts_with(_predicate, "'") THEN substring(_predicate, 2, size(_predicate)) ELSE _predicate END,
    _confidence,
    CASE WHEN starts_with(_sentence, "'") THEN substring(_sentence, 2, size(_sentence)) ELSE _sentence END,
    CASE WHEN starts_with(_document, "'") THEN substring(_document, 2, size(_document)) ELSE _document END,
    CASE WHEN starts_with(_document_title, "'") THEN substring(_document_title, 2, size(_document_title)) ELSE _document_title END,
    CASE WHEN starts_with(_document_date, "'") THEN substring(_document_date, 2, size(_document_date)) ELSE _document_date END,
    CASE WHEN starts_with(_document_url, "'") THEN substring(_document_url, 2, size(_document_url)) ELSE _document_url END,
    CASE WHEN starts_with(_rule, "'") THEN substring(_rule, 2, size(_rule)) ELSE _rule END,
    _char_start,
    _char_end,
    _evidence_count,
    CASE WHEN starts_with(_evidence, "'") THEN substring(_evidence, 2, size(_evidence)) ELSE _evidence END,
    _amount,
    CASE WHEN starts_with(_currency, "'") THEN substring(_currency, 2, size(_currency)) ELSE _currency END,
    _count,
    CASE WHEN starts_with(_date, "'") THEN substring(_date, 2, size(_date)) ELSE _date END
);
COPY USES FROM (
  LOAD WITH HEADERS (_from STRING, _to STRING, _predicate STRING, _confidence DOUBLE, _sentence STRING, _document STRING, _document_title STRING, _document_date STRING, _document_url STRING, _rule STRING, _char_start INT64, _char_end INT64, _evidence_count INT64, _evidence STRING, _amount DOUBLE, _currency STRING, _count INT64, _date STRING)
  FROM "relationships_USES.csv" (HEADER=true, DELIM=',', QUOTE='"', ESCAPE='"', PARALLEL=false)
  RETURN _from,
    _to,
    CASE WHEN starts_with(_predicate, "'") THEN substring(_predicate, 2, size(_predicate)) ELSE _predicate END,
    _confidence,
    CASE WHEN starts_with(_sentence, "'") THEN substring(_sentence, 2, size(_sentence)) ELSE _sentence END,
    CASE WHEN starts_with(_document, "'") THEN substring(_document, 2, size(_document)) ELSE _document END,
    CASE WHEN starts_with(_document_title, "'") THEN substring(_document_title, 2, size(_document_title)) ELSE _document_title END,
    CASE WHEN starts_with(_document_date, "'") THEN substring(_document_date, 2, size(_document_date)) ELSE _document_date END,
    CASE WHEN starts_with(_document_url, "'") THEN substring(_document_url, 2, size(_document_url)) ELSE _document_url END,
    CASE WHEN starts_with(_rule, "'") THEN substring(_rule, 2, size(_rule)) ELSE _rule END,
    _char_start,
    _char_end,
    _evidence_count,
    CASE WHEN starts_with(_evidence, "'") THEN substring(_evidence, 2, size(_evidence)) ELSE _evidence END,
    _amount,
    CASE WHEN starts_with(_currency, "'") THEN substring(_currency, 2, size(_currency)) ELSE _currency END,
    _count,
    CASE WHEN starts_with(_date, "'") THEN substring(_date, 2, size(_date)) ELSE _date END
);
COPY DEVELOPER_OF FROM (
  LOAD WITH HEADERS (_from STRING, _to STRING, _predicate STRING, _confidence DOUBLE, _sentence STRING, _document STRING, _document_title STRING, _document_date STRING, _document_url STRING, _rule STRING, _char_start INT64, _char_end INT64, _evidence_count INT64, _evidence STRING, _amount DOUBLE, _currency STRING, _count INT64, _date STRING)
  FROM "relationships_DEVELOPER_OF.csv" (HEADER=true, DELIM=',', QUOTE='"', ESCAPE='"', PARALLEL=false)
  RETURN _from,
    _to,
    CASE WHEN starts_with(_predicate, "'") THEN substring(_predicate, 2, size(_predicate)) ELSE _predicate END,
    _confidence,
    CASE WHEN starts_with(_sentence, "'") THEN substring(_sentence, 2, size(_sentence)) ELSE _sentence END,
    CASE WHEN starts_with(_document, "'") THEN substring(_document, 2, size(_document)) ELSE _document END,
    CASE WHEN starts_with(_document_title, "'") THEN substring(_document_title, 2, size(_document_title)) ELSE _document_title END,
    CASE WHEN starts_with(_document_date, "'") THEN substring(_document_date, 2, size(_document_date)) ELSE _document_date END,
    CASE WHEN starts_with(_document_url, "'") THEN substring(_document_url, 2, size(_document_url)) ELSE _document_url END,
    CASE WHEN starts_with(_rule, "'") THEN substring(_rule, 2, size(_rule)) ELSE _rule END,
    _char_start,
    _char_end,
    _evidence_count,
    CASE WHEN starts_with(_evidence, "'") THEN substring(_evidence, 2, size(_evidence)) ELSE _evidence END,
    _amount,
    CASE WHEN starts_with(_currency, "'") THEN substring(_currency, 2, size(_currency)) ELSE _currency END,
    _count,
    CASE WHEN starts_with(_date, "'") THEN substring(_date, 2, size(_date)) ELSE _date END
);
COPY TRAINED_ON FROM (
  LOAD WITH HEADERS (_from STRING, _to STRING, _predicate STRING, _confidence DOUBLE, _sentence STRING, _document STRING, _document_title STRING, _document_date STRING, _document_url STRING, _rule STRING, _char_start INT64, _char_end INT64, _evidence_count INT64, _evidence STRING, _amount DOUBLE, _currency STRING, _count INT64, _date STRING)
  FROM "relationships_TRAINED_ON.csv" (HEADER=true, DELIM=',', QUOTE='"', ESCAPE='"', PARALLEL=false)
  RETURN _from,
    _to,
    CASE WHEN starts_with(_predicate, "'") THEN substring(_predicate, 2, size(_predicate)) ELSE _predicate END,
    _confidence,
    CASE WHEN starts_with(_sentence, "'") THEN substring(_sentence, 2, size(_sentence)) ELSE _sentence END,
    CASE WHEN starts_with(_document, "'") THEN substring(_document, 2, size(_document)) ELSE _document END,
    CASE WHEN starts_with(_document_title, "'") THEN substring(_document_title, 2, size(_document_title)) ELSE _document_title END,
    CASE WHEN starts_with(_document_date, "'") THEN substring(_document_date, 2, size(_document_date)) ELSE _document_date END,
    CASE WHEN starts_with(_document_url, "'") THEN substring(_document_url, 2, size(_document_url)) ELSE _document_url END,
    CASE WHEN starts_with(_rule, "'") THEN substring(_rule, 2, size(_rule)) ELSE _rule END,
    _char_start,
    _char_end,
    _evidence_count,
    CASE WHEN starts_with(_evidence, "'") THEN substring(_evidence, 2, size(_evidence)) ELSE _evidence END,
    _amount,
    CASE WHEN starts_with(_currency, "'") THEN substring(_currency, 2, size(_currency)) ELSE _currency END,
    _count,
    CASE WHEN starts_with(_date, "'") THEN substring(_date, 2, size(_date)) ELSE _date END
);
COPY HEADQUARTERED_IN FROM (
  LOAD WITH HEADERS (_from STRING, _to STRING, _predicate STRING, _confidence DOUBLE, _sentence STRING, _document STRING, _document_title STRING, _document_date STRING, _document_url STRING, _rule STRING, _char_start INT64, _char_end INT64, _evidence_count INT64, _evidence STRING, _amount DOUBLE, _currency STRING, _count INT64, _date STRING)
  FROM "relationships_HEADQUARTERED_IN.csv" (HEADER=true, DELIM=',', QUOTE='"', ESCAPE='"', PARALLEL=false)
  RETURN _from,
    _to,
    CASE WHEN starts_with(_predicate, "'") THEN substring(_predicate, 2, size(_predicate)) ELSE _predicate END,
    _confidence,
    CASE WHEN starts_with(_sentence, "'") THEN substring(_sentence, 2, size(_sentence)) ELSE _sentence END,
    CASE WHEN starts_with(_document, "'") THEN substring(_document, 2, size(_document)) ELSE _document END,
    CASE WHEN starts_with(_document_title, "'") THEN substring(_document_title, 2, size(_document_title)) ELSE _document_title END,
    CASE WHEN starts_with(_document_date, "'") THEN substring(_document_date, 2, size(_document_date)) ELSE _document_date END,
    CASE WHEN starts_with(_document_url, "'") THEN substring(_document_url, 2, size(_document_url)) ELSE _document_url END,
    CASE WHEN starts_with(_rule, "'") THEN substring(_rule, 2, size(_rule)) ELSE _rule END,
    _char_start,
    _char_end,
    _evidence_count,
    CASE WHEN starts_with(_evidence, "'") THEN substring(_evidence, 2, size(_evidence)) ELSE _evidence END,
    _amount,
    CASE WHEN starts_with(_currency, "'") THEN substring(_currency, 2, size(_currency)) ELSE _currency END,
    _count,
    CASE WHEN starts_with(_date, "'") THEN substring(_date, 2, size(_date)) ELSE _date END
);
COPY BACKER_OF FROM (
  LOAD WITH HEADERS (_from STRING, _to STRING, _predicate STRING, _confidence DOUBLE, _sentence STRING, _document STRING, _document_title STRING, _document_date STRING, _document_url STRING, _rule STRING, _char_start INT64, _char_end INT64, _evidence_count INT64, _evidence STRING, _amount DOUBLE, _currency STRING, _count INT64, _date STRING)
  FROM "relationships_BACKER_OF.csv" (HEADER=true, DELIM=',', QUOTE='"', ESCAPE='"', PARALLEL=false)
  RETURN _from,
    _to,
    CASE WHEN starts_with(_predicate, "'") THEN substring(_predicate, 2, size(_predicate)) ELSE _predicate END,
    _confidence,
    CASE WHEN starts_with(_sentence, "'") THEN substring(_sentence, 2, size(_sentence)) ELSE _sentence END,
    CASE WHEN starts_with(_document, "'") THEN substring(_document, 2, size(_document)) ELSE _document END,
    CASE WHEN starts_with(_document_title, "'") THEN substring(_document_title, 2, size(_document_title)) ELSE _document_title END,
    CASE WHEN starts_with(_document_date, "'") THEN substring(_document_date, 2, size(_document_date)) ELSE _document_date END,
    CASE WHEN starts_with(_document_url, "'") THEN substring(_document_url, 2, size(_document_url)) ELSE _document_url END,
    CASE WHEN starts_with(_rule, "'") THEN substring(_rule, 2, size(_rule)) ELSE _rule END,
    _char_start,
    _char_end,
    _evidence_count,
    CASE WHEN starts_with(_evidence, "'") THEN substring(_evidence, 2, size(_evidence)) ELSE _evidence END,
    _amount,
    CASE WHEN starts_with(_currency, "'") THEN substring(_currency, 2, size(_currency)) ELSE _currency END,
    _count,
    CASE WHEN starts_with(_date, "'") THEN substring(_date, 2, size(_date)) ELSE _date END
);
COPY DISTRIBUTOR_OF FROM (
  LOAD WITH HEADERS (_from STRING, _to STRING, _predicate STRING, _confidence DOUBLE, _sentence STRING, _document STRING, _document_title STRING, _document_date STRING, _document_url STRING, _rule STRING, _char_start INT64, _char_end INT64, _evidence_count INT64, _evidence STRING, _amount DOUBLE, _currency STRING, _count INT64, _date STRING)
  FROM "relationships_DISTRIBUTOR_OF.csv" (HEADER=true, DELIM=',', QUOTE='"', ESCAPE='"', PARALLEL=false)
  RETURN _from,
    _to,
    CASE WHEN starts_with(_predicate, "'") THEN substring(_predicate, 2, size(_predicate)) ELSE _predicate END,
    _confidence,
    CASE WHEN starts_with(_sentence, "'") THEN substring(_sentence, 2, size(_sentence)) ELSE _sentence END,
    CASE WHEN starts_with(_document, "'") THEN substring(_document, 2, size(_document)) ELSE _document END,
    CASE WHEN starts_with(_document_title, "'") THEN substring(_document_title, 2, size(_document_title)) ELSE _document_title END,
    CASE WHEN starts_with(_document_date, "'") THEN substring(_document_date, 2, size(_document_date)) ELSE _document_date END,
    CASE WHEN starts_with(_document_url, "'") THEN substring(_document_url, 2, size(_document_url)) ELSE _document_url END,
    CASE WHEN starts_with(_rule, "'") THEN substring(_rule, 2, size(_rule)) ELSE _rule END,
    _char_start,
    _char_end,
    _evidence_count,
    CASE WHEN starts_with(_evidence, "'") THEN substring(_evidence, 2, size(_evidence)) ELSE _evidence END,
    _amount,
    CASE WHEN starts_with(_currency, "'") THEN substring(_currency, 2, size(_currency)) ELSE _currency END,
    _count,
    CASE WHEN starts_with(_date, "'") THEN substring(_date, 2, size(_date)) ELSE _date END
);
