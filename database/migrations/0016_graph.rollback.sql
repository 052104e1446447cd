-- Undo 0016_graph.
DROP TABLE graph_relationships;
DROP TABLE graph_nodes;
DROP TABLE graph_node_types;
DROP EXTENSION IF EXISTS btree_gin;
