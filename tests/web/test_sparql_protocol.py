"""/sparql over the SPARQL 1.1 Protocol, queried by real clients (SPARQLWrapper, rdflib's SPARQLStore, httpx)
against the real `kgqa serve`: every result format, GET and both POST encodings, and the same answers as the
Oxigraph server behind it."""
from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import httpx
import pytest
import rdflib
import rdflib.compare
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, GET, JSON, JSONLD, N3, POST, POSTDIRECTLY, RDFXML, TSV, TURTLE, URLENCODED, XML, \
    SPARQLWrapper

SKOS = "http://www.w3.org/2004/02/skos/core#"
LABELS = f"""PREFIX skos: <{SKOS}>
SELECT ?e ?l WHERE {{ ?e skos:prefLabel ?l FILTER(LANG(?l) = "en") }} ORDER BY ?e ?l LIMIT 25"""
CONSTRUCT = f"""PREFIX skos: <{SKOS}>
CONSTRUCT {{ ?e skos:prefLabel ?l }} WHERE {{ ?e skos:prefLabel ?l }} ORDER BY ?e ?l LIMIT 40"""


def _pairs_json(doc: dict) -> list[tuple[str, str]]:
    return [(b["e"]["value"], b["l"]["value"]) for b in doc["results"]["bindings"]]


def _pairs_xml(data: bytes) -> list[tuple[str, str]]:
    ns = {"s": "http://www.w3.org/2005/sparql-results#"}
    out = []
    for result in ET.fromstring(data).iterfind(".//s:result", ns):
        vals = {b.get("name"): "".join(b.itertext()).strip() for b in result.iterfind("s:binding", ns)}
        out.append((vals["e"], vals["l"]))
    return out


def _pairs_csv(text: str) -> list[tuple[str, str]]:
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["e", "l"]
    return [(r[0], r[1]) for r in rows[1:] if r]


def _pairs_tsv(text: str) -> list[tuple[str, str]]:
    lines = text.splitlines()
    assert lines[0].split("\t") == ["?e", "?l"]
    out = []
    for line in lines[1:]:
        e, l = line.split("\t")
        out.append((e.strip("<>"), l.rsplit("@", 1)[0].strip('"')))
    return out


@pytest.fixture(scope="module")
def expected(live) -> list[tuple[str, str]]:
    """The labels as the Oxigraph server behind `kgqa serve` answers them itself."""
    ox = json.loads((live.data_dir / "server.json").read_text())["oxigraph_url"]
    assert ox.startswith("unix:")  # the private store server, reached through its socket
    with httpx.Client(transport=httpx.HTTPTransport(uds=ox[len("unix:"):]), trust_env=False) as direct:
        r = direct.post("http://store/query", data={"query": LABELS},
                        headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200
    pairs = _pairs_json(r.json())
    assert len(pairs) >= 5
    return pairs


def _wrapper(live, fmt: str, method: str = GET, request_method: str = URLENCODED) -> SPARQLWrapper:
    sw = SPARQLWrapper(live.url + "/sparql")
    sw.setReturnFormat(fmt)
    sw.setMethod(method)
    sw.setRequestMethod(request_method)
    return sw


@pytest.mark.parametrize("method,encoding", [(GET, URLENCODED), (POST, URLENCODED), (POST, POSTDIRECTLY)])
def test_select_in_every_format_with_sparqlwrapper(live, expected, method, encoding) -> None:
    for fmt, read in ((JSON, lambda r: _pairs_json(r.convert())),
                      (XML, lambda r: _pairs_xml(r.response.read())),
                      (CSV, lambda r: _pairs_csv(r.response.read().decode("utf-8"))),
                      (TSV, lambda r: _pairs_tsv(r.response.read().decode("utf-8")))):
        sw = _wrapper(live, fmt, method, encoding)
        sw.setQuery(LABELS)
        result = sw.query()
        ctype = result.response.headers["Content-Type"]
        assert {"json": "sparql-results+json", "xml": "sparql-results+xml", "csv": "text/csv",
                "tsv": "text/tab-separated-values"}[fmt] in ctype
        assert read(result) == expected, (fmt, method, encoding)


def test_ask_in_json_and_xml(live) -> None:
    for query, truth in (("ASK { ?s a ?t }", True), ("ASK { <http://nowhere.example/x> ?p ?o }", False)):
        sw = _wrapper(live, JSON)
        sw.setQuery(query)
        assert sw.queryAndConvert()["boolean"] is truth
        sw = _wrapper(live, XML, POST)
        sw.setQuery(query)
        assert (ET.fromstring(sw.query().response.read()).find(
            "{http://www.w3.org/2005/sparql-results#}boolean").text == str(truth).lower())


def _graph_via(live, accept: str) -> tuple[rdflib.Graph, str]:
    r = httpx.post(live.url + "/sparql", content=CONSTRUCT.encode(), trust_env=False,
                   headers={"Content-Type": "application/sparql-query", "Accept": accept})
    assert r.status_code == 200, r.text
    ctype = r.headers["content-type"].split(";")[0]
    fmt = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld",
           "application/rdf+xml": "xml"}[ctype]
    return rdflib.Graph().parse(data=r.content, format=fmt), ctype


def test_construct_in_every_rdf_format(live) -> None:
    reference, ctype = _graph_via(live, "application/n-triples")
    assert ctype == "application/n-triples" and len(reference) == 40
    for accept, want in (("text/turtle", "text/turtle"), ("application/ld+json", "application/ld+json"),
                         ("application/rdf+xml", "application/rdf+xml")):
        g, ctype = _graph_via(live, accept)
        assert ctype == want
        assert rdflib.compare.isomorphic(g, reference), accept
    for fmt, parse_as in ((TURTLE, "turtle"), (N3, "n3"), (JSONLD, "json-ld"), (RDFXML, "xml")):
        sw = _wrapper(live, fmt, POST)
        sw.setQuery(CONSTRUCT)
        g = rdflib.Graph().parse(data=sw.query().response.read(), format=parse_as)
        assert rdflib.compare.isomorphic(g, reference), fmt


@pytest.mark.parametrize("return_format", ["json", "xml", "csv", "tsv"])
def test_rdflib_sparqlstore_reads_the_endpoint(live, expected, return_format) -> None:
    store = SPARQLStore(live.url + "/sparql", returnFormat=return_format)
    graph = rdflib.Graph(store)
    rows = [(str(e), str(l)) for e, l in graph.query(LABELS)]
    assert rows == expected
    entity = rdflib.URIRef(expected[0][0])
    labels = set(graph.objects(entity, rdflib.URIRef(SKOS + "prefLabel")))
    if return_format == "csv":  # CSV results carry no language tags
        assert expected[0][1] in {str(x) for x in labels}
    else:
        assert rdflib.Literal(expected[0][1], lang="en") in labels
    store.close()


def test_rdflib_sparqlstore_construct(live) -> None:
    store = SPARQLStore(live.url + "/sparql")
    result = rdflib.Graph(store).query(CONSTRUCT)
    reference, _ = _graph_via(live, "application/n-triples")
    assert rdflib.compare.isomorphic(result.graph, reference)


def test_predefined_prefixes(live) -> None:
    r = httpx.get(live.url + "/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?o a kgo:Observation }"},
                  trust_env=False)
    assert r.status_code == 200, r.text
    assert int(r.json()["results"]["bindings"][0]["n"]["value"]) > 0


def test_service_description_without_query(live) -> None:
    r = httpx.get(live.url + "/sparql", headers={"Accept": "text/turtle"}, trust_env=False)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    service = rdflib.URIRef(live.url + "/sparql")
    assert (service, rdflib.RDF.type, sd.Service) in g
    assert (service, sd.supportedLanguage, sd.SPARQL11Query) in g
    formats = set(g.objects(service, sd.resultFormat))
    assert rdflib.URIRef("http://www.w3.org/ns/formats/SPARQL_Results_CSV") in formats


def test_row_limit_cuts_every_format_and_says_so(live) -> None:
    limit = live.max_result_rows
    everything = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    with live.client() as c:
        total = int(c.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}).json()
                    ["results"]["bindings"][0]["n"]["value"])
        assert total > limit
        counts = {}
        for accept, count in (("application/sparql-results+json", lambda r: len(r.json()["results"]["bindings"])),
                              ("application/sparql-results+xml", lambda r: r.content.count(b"<result>")),
                              ("text/csv", lambda r: len(list(csv.reader(io.StringIO(r.text)))) - 1),
                              ("text/tab-separated-values", lambda r: len(r.text.splitlines()) - 1)):
            r = c.post("/sparql", data={"query": everything}, headers={"Accept": accept})
            assert r.status_code == 200, r.text
            assert r.headers["KGQA-Result-Truncated"] == str(limit)
            counts[accept] = count(r)
        assert set(counts.values()) == {limit}, counts
        if accept.endswith("xml"):
            ET.fromstring(r.content)
        g = c.post("/sparql", data={"query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"},
                   headers={"Accept": "text/turtle"})
        assert g.headers["KGQA-Result-Truncated"] == str(limit)
        assert len(rdflib.Graph().parse(data=g.text, format="turtle")) == limit
        small = c.get("/sparql", params={"query": LABELS})
        assert "KGQA-Result-Truncated" not in small.headers
