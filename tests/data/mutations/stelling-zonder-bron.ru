# Rule: every statement node cites its source (amkg:citation).
# Mutation: the reified, inferred annex mark 'Werken aan de toekomst' -> domain 4 loses its citations.
#+ expect_nl: bron|citaat|citatie|herkomst|verwijzing
#+ expect_en: source|citation|provenance|cite
PREFIX amkg: <https://w3id.org/amkg/def#>
PREFIX kg: <https://w3id.org/amkg/id/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
DELETE { ?statement amkg:citation ?citation }
WHERE {
  ?statement a rdf:Statement ;
      rdf:subject kg:traject-werken-aan-de-toekomst ;
      rdf:predicate amkg:touchesDomain ;
      rdf:object kg:domein-4 ;
      amkg:citation ?citation .
}
