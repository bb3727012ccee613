// Run once, right after neo4j-admin import: cypher-shell -d neo4j -f post-import.cypher
CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE;
// Undo formula neutralising: drop the one leading ' the CSV added.
// (nothing was neutralised in this export)
