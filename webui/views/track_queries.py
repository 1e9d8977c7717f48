"""SPARQL for the track page and the home cards. Variables are bound, never pasted."""

TRACKS = """
SELECT ?track ?n ?lever WHERE {
  ?track a amkg:Track ; amkg:trackNumber ?n .
  OPTIONAL { ?track amkg:hasLever ?lever }
} ORDER BY ?n
"""

TRACK_BY_NUMBER = """
SELECT ?track ?n WHERE { ?track a amkg:Track ; amkg:trackNumber ?n . }
"""

MEASURE_COUNTS = """
SELECT ?track (COUNT(DISTINCT ?m) AS ?measures) WHERE {
  ?track a amkg:Track .
  ?m amkg:belongsToTrack ?track .
} GROUP BY ?track
"""

# Trajectories that affect a track, with the way they reach it and whether a hop is a reading:
# via an annex domain column, via a measure of the track, or via a cross-reference.
TRAJECTORIES = """
SELECT DISTINCT ?track ?traj ?via ?mid ?inf1 ?inf2 WHERE {
  ?track a amkg:Track .
  ?traj a amkg:Trajectory .
  {
    ?traj amkg:touchesDomain ?mid . ?mid amkg:correspondsToTrack ?track .
    BIND("domain" AS ?via)
    OPTIONAL { ?s1 rdf:subject ?traj ; rdf:predicate amkg:touchesDomain ;
                   rdf:object ?mid ; amkg:inferred ?inf1 . }
    OPTIONAL { ?s2 rdf:subject ?mid ; rdf:predicate amkg:correspondsToTrack ;
                   rdf:object ?track ; amkg:inferred ?inf2 . }
  } UNION {
    ?traj amkg:concernsMeasure ?mid . ?mid amkg:belongsToTrack ?track .
    BIND("measure" AS ?via)
    OPTIONAL { ?s1 rdf:subject ?traj ; rdf:predicate amkg:concernsMeasure ;
                   rdf:object ?mid ; amkg:inferred ?inf1 . }
  } UNION {
    ?p rdfs:subPropertyOf* amkg:relatedTo .
    {
      ?track ?p ?traj .
      OPTIONAL { ?s1 rdf:subject ?track ; rdf:predicate ?p ; rdf:object ?traj ;
                     amkg:inferred ?inf1 . }
    } UNION {
      ?traj ?p ?track .
      OPTIONAL { ?s1 rdf:subject ?traj ; rdf:predicate ?p ; rdf:object ?track ;
                     amkg:inferred ?inf1 . }
    }
    BIND("reference" AS ?via)
    BIND(?p AS ?mid)
  }
}
"""

MEASURES = """
SELECT ?track ?m ?parent WHERE {
  ?m amkg:belongsToTrack ?track .
  OPTIONAL { ?m amkg:subActionOf ?parent . }
}
"""

MEASURE_LINKS = """
SELECT ?track ?m ?p ?o WHERE {
  ?m amkg:belongsToTrack ?track .
  VALUES ?p { amkg:targetsGroup amkg:concernsOccupation amkg:concernsSector amkg:citesCountry
              amkg:involvesOrganisation amkg:usesInstrument amkg:asksQuestion }
  ?m ?p ?o .
}
"""

ARGUMENTS = """
SELECT ?track ?m ?arg ?stance WHERE {
  ?m amkg:belongsToTrack ?track .
  { ?arg amkg:argumentAbout ?m . } UNION { ?m amkg:hasArgument ?arg . }
  OPTIONAL { ?arg amkg:stance ?stance . }
}
"""

# Effects of the track and of its measures (owner = the track or a measure).
EFFECTS = """
SELECT ?track ?owner ?effect ?factor ?direction ?magnitude ?inferred WHERE {
  ?owner amkg:belongsToTrack? ?track .
  { ?effect amkg:effectOf ?owner . } UNION { ?owner amkg:hasEffect ?effect . }
  OPTIONAL { ?effect amkg:actsOn ?factor . }
  OPTIONAL { ?effect amkg:direction ?direction . }
  OPTIONAL { ?effect amkg:magnitude ?magnitude . }
  OPTIONAL { ?effect amkg:inferred ?inferred . }
}
"""

LEGAL = """
SELECT ?track ?owner ?a ?feasibility ?inferred WHERE {
  ?owner amkg:belongsToTrack? ?track .
  { ?a amkg:assesses ?owner . } UNION { ?owner amkg:hasLegalAssessment ?a . }
  OPTIONAL { ?a amkg:feasibility ?feasibility . }
  OPTIONAL { ?a amkg:inferred ?inferred . }
}
"""

COMPARISONS = """
SELECT ?track ?owner ?c ?country ?inferred WHERE {
  ?owner amkg:belongsToTrack? ?track .
  { ?c amkg:compares ?owner . } UNION { ?owner amkg:hasComparison ?c . }
  OPTIONAL { ?c amkg:mentionsCountry ?country . }
  OPTIONAL { ?c amkg:inferred ?inferred . }
}
"""

# Links between the track and other resources: underpins, relatedTo and its sub-properties,
# refersToDocument, both directions; ?st is the rdf:Statement that carries the quote, if any.
RELATIONS = """
SELECT ?track ?p ?other ?dir ?st ?inferred WHERE {
  { ?p rdfs:subPropertyOf* amkg:relatedTo . }
  UNION { VALUES ?p { amkg:underpins amkg:refersToDocument } }
  {
    ?track ?p ?other . BIND("out" AS ?dir)
    OPTIONAL { ?st rdf:subject ?track ; rdf:predicate ?p ; rdf:object ?other .
               OPTIONAL { ?st amkg:inferred ?inferred . } }
  } UNION {
    ?other ?p ?track . BIND("in" AS ?dir)
    OPTIONAL { ?st rdf:subject ?other ; rdf:predicate ?p ; rdf:object ?track .
               OPTIONAL { ?st amkg:inferred ?inferred . } }
  }
}
"""

# Citations of the track and of everything that hangs on it.
SOURCES = """
SELECT DISTINCT ?track ?about ?c ?slide ?idx ?section ?quote WHERE {
  {
    ?track (amkg:hasEffect|amkg:hasLegalAssessment|amkg:hasComparison|amkg:asksQuestion)? ?about .
  } UNION {
    ?about amkg:belongsToTrack|amkg:effectOf|amkg:assesses|amkg:compares ?track .
  } UNION {
    ?about rdf:subject|rdf:object ?track ; a rdf:Statement .
  }
  ?about amkg:citation ?c .
  ?c amkg:slide ?slide ; amkg:quote ?quote .
  OPTIONAL { ?c amkg:section ?section . }
  OPTIONAL { ?slide amkg:slideIndex ?idx . }
}
"""
