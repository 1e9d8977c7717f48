# Breaks IC-18: an observation in a slice of a data set but not in the data set.
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX ex: <http://example.org/cube/>
DELETE DATA { ex:o2 qb:dataSet ex:ds1 } ;
INSERT DATA { ex:o2 qb:dataSet ex:ds3 }
