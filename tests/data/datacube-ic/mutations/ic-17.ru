# Breaks IC-17: a point of a measure-dimension cube with one of its two measures missing.
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX ex: <http://example.org/cube/>
DELETE DATA { ex:o4 qb:dataSet ex:ds2 ; ex:area ex:north ; qb:measureType ex:share ;
              ex:share 0.5 ; a qb:Observation }
