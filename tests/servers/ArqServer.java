// A minimal SPARQL 1.1 Protocol and Graph Store Protocol server over Apache Jena ARQ and TDB2,
// for the tests on a machine without Fuseki (tests/servers.py compiles it with javac against
// Debian's libapache-jena-java 4.5.0 in /usr/share/java and starts it on loopback).
//
// It is NOT Fuseki: it answers what the app sends, the way Fuseki's dataset services do, so
// that Jena's query engine (ARQ) evaluates every query for real.
//
//   java -cp <classes>:<jars> ArqServer PORT TDB2-DIRECTORY
//
//   /ds/query   SPARQL 1.1 Query (GET, POST form, POST application/sparql-query), with
//               default-graph-uri / named-graph-uri and timeout (seconds, as Fuseki's)
//   /ds/update  SPARQL 1.1 Update (POST form, POST application/sparql-update)
//   /ds/sparql  either, by the parameter given
//   /ds/data    Graph Store Protocol (GET, PUT, POST, DELETE with ?graph=IRI or ?default)
//
// Queries and updates are parsed as strict SPARQL 1.1 (no ARQ extensions).

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.jena.graph.Graph;
import org.apache.jena.graph.Node;
import org.apache.jena.graph.NodeFactory;
import org.apache.jena.query.Dataset;
import org.apache.jena.query.Query;
import org.apache.jena.query.QueryCancelledException;
import org.apache.jena.query.QueryExecution;
import org.apache.jena.query.QueryFactory;
import org.apache.jena.query.ResultSetFormatter;
import org.apache.jena.query.Syntax;
import org.apache.jena.rdf.model.Model;
import org.apache.jena.riot.Lang;
import org.apache.jena.riot.RDFDataMgr;
import org.apache.jena.riot.RDFLanguages;
import org.apache.jena.riot.RDFParser;
import org.apache.jena.sparql.core.DatasetDescription;
import org.apache.jena.sparql.core.DatasetGraph;
import org.apache.jena.sparql.core.DynamicDatasets;
import org.apache.jena.sparql.graph.GraphFactory;
import org.apache.jena.system.Txn;
import org.apache.jena.tdb2.TDB2Factory;
import org.apache.jena.update.UpdateAction;
import org.apache.jena.update.UpdateFactory;
import org.apache.jena.update.UpdateRequest;

public final class ArqServer {
    private static final String RESULTS_JSON = "application/sparql-results+json";
    private static final String RESULTS_XML = "application/sparql-results+xml";
    private static Dataset dataset;

    /** An HTTP error with its status and one line of reason. */
    private static final class Failure extends RuntimeException {
        final int status;

        Failure(int status, String reason) {
            super(reason);
            this.status = status;
        }
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        dataset = TDB2Factory.connectDataset(args[1]);
        HttpServer server = HttpServer.create(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        server.createContext("/ds/query", ex -> handle(ex, "query"));
        server.createContext("/ds/update", ex -> handle(ex, "update"));
        server.createContext("/ds/sparql", ex -> handle(ex, "sparql"));
        server.createContext("/ds/data", ex -> handle(ex, "data"));
        server.setExecutor(Executors.newFixedThreadPool(16));
        server.start();
        System.out.println("ArqServer (Jena ARQ/TDB2) on 127.0.0.1:" + port);
    }

    private static void handle(HttpExchange ex, String service) throws IOException {
        try {
            Map<String, List<String>> params = new LinkedHashMap<>();
            parseForm(ex.getRequestURI().getRawQuery(), params);
            byte[] body = ex.getRequestBody().readAllBytes();
            String type = mediaType(ex.getRequestHeaders().getFirst("Content-Type"));
            String method = ex.getRequestMethod();
            if (service.equals("data")) {
                graphStore(ex, method, params, type, body);
                return;
            }
            if (method.equals("POST") && type.equals("application/x-www-form-urlencoded")) {
                parseForm(new String(body, StandardCharsets.UTF_8), params);
            } else if (method.equals("POST") && type.equals("application/sparql-query")) {
                params.computeIfAbsent("query", k -> new ArrayList<>())
                        .add(new String(body, StandardCharsets.UTF_8));
            } else if (method.equals("POST") && type.equals("application/sparql-update")) {
                params.computeIfAbsent("update", k -> new ArrayList<>())
                        .add(new String(body, StandardCharsets.UTF_8));
            } else if (!method.equals("GET") && !method.equals("POST")) {
                throw new Failure(405, "method not allowed: " + method);
            }
            if (params.containsKey("query") && !service.equals("update")) {
                query(ex, params);
            } else if (params.containsKey("update") && !service.equals("query")) {
                if (!method.equals("POST")) {
                    throw new Failure(405, "an update must be POSTed");
                }
                update(ex, params);
            } else {
                throw new Failure(400, "no query or update given");
            }
        } catch (Failure failure) {
            send(ex, failure.status, "text/plain", bytes(failure.getMessage() + "\n"));
        } catch (QueryCancelledException cancelled) {
            send(ex, 503, "text/plain", bytes("Query cancelled: timeout\n"));
        } catch (RuntimeException error) {
            String reason = error.getClass().getSimpleName() + ": " + error.getMessage();
            int status = error.getClass().getName().contains("Parse") ? 400 : 500;
            send(ex, status, "text/plain", bytes(reason + "\n"));
        } finally {
            ex.close();
        }
    }

    // --- SPARQL 1.1 Query -------------------------------------------------------------------

    private static void query(HttpExchange ex, Map<String, List<String>> params)
            throws IOException {
        Query query = QueryFactory.create(one(params, "query"), Syntax.syntaxSPARQL_11);
        List<String> defaults = params.getOrDefault("default-graph-uri", List.of());
        List<String> named = params.getOrDefault("named-graph-uri", List.of());
        DatasetDescription description = defaults.isEmpty() && named.isEmpty()
                ? DatasetDescription.create(query)
                : new DatasetDescription(defaults, named);
        long timeout = -1;
        if (params.containsKey("timeout")) {
            timeout = (long) (Double.parseDouble(one(params, "timeout")) * 1000);
        }
        String accept = ex.getRequestHeaders().getFirst("Accept");
        final long limit = timeout;
        String[] media = new String[1];
        byte[] answer = Txn.calculateRead(dataset, () -> {
            DatasetGraph base = dataset.asDatasetGraph();
            DatasetGraph dsg = description == null
                    ? base : DynamicDatasets.dynamicDataset(description, base, false);
            var builder = QueryExecution.create().query(query).dataset(dsg);
            if (limit >= 0) {
                builder = builder.timeout(limit, TimeUnit.MILLISECONDS);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (QueryExecution qe = builder.build()) {
                if (query.isSelectType()) {
                    media[0] = resultsType(accept);
                    if (media[0].equals(RESULTS_XML)) {
                        ResultSetFormatter.outputAsXML(out, qe.execSelect());
                    } else {
                        ResultSetFormatter.outputAsJSON(out, qe.execSelect());
                    }
                } else if (query.isAskType()) {
                    media[0] = resultsType(accept);
                    if (media[0].equals(RESULTS_XML)) {
                        ResultSetFormatter.outputAsXML(out, qe.execAsk());
                    } else {
                        ResultSetFormatter.outputAsJSON(out, qe.execAsk());
                    }
                } else {
                    Model model = query.isConstructType() ? qe.execConstruct() : qe.execDescribe();
                    Lang lang = rdfLang(accept);
                    media[0] = lang.getHeaderString();
                    RDFDataMgr.write(out, model, lang);
                }
            }
            return out.toByteArray();
        });
        send(ex, 200, media[0] + "; charset=utf-8", answer);
    }

    private static String resultsType(String accept) {
        if (accept != null && accept.contains(RESULTS_XML) && !accept.contains(RESULTS_JSON)) {
            return RESULTS_XML;
        }
        return RESULTS_JSON;
    }

    private static Lang rdfLang(String accept) {
        if (accept == null || accept.contains("application/n-triples")
                || accept.contains("text/plain")) {
            return Lang.NTRIPLES;
        }
        return accept.contains("application/rdf+xml") && !accept.contains("text/turtle")
                ? Lang.RDFXML : Lang.TURTLE;
    }

    // --- SPARQL 1.1 Update ------------------------------------------------------------------

    private static void update(HttpExchange ex, Map<String, List<String>> params)
            throws IOException {
        UpdateRequest request = UpdateFactory.create(one(params, "update"), Syntax.syntaxSPARQL_11);
        Txn.executeWrite(dataset, () -> UpdateAction.execute(request, dataset));
        send(ex, 204, null, new byte[0]);
    }

    // --- Graph Store Protocol ---------------------------------------------------------------

    private static void graphStore(HttpExchange ex, String method,
            Map<String, List<String>> params, String type, byte[] body) throws IOException {
        Node graph;
        if (params.containsKey("default")) {
            graph = null;
        } else if (params.containsKey("graph")) {
            graph = NodeFactory.createURI(one(params, "graph"));
        } else {
            throw new Failure(400, "give ?graph=IRI or ?default");
        }
        DatasetGraph dsg = dataset.asDatasetGraph();
        switch (method) {
            case "GET", "HEAD" -> {
                String accept = ex.getRequestHeaders().getFirst("Accept");
                Lang lang = rdfLang(accept);
                byte[] answer = Txn.calculateRead(dsg, () -> {
                    if (graph != null && !dsg.containsGraph(graph)) {
                        throw new Failure(404, "no such graph: " + graph.getURI());
                    }
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    RDFDataMgr.write(out, target(dsg, graph), lang);
                    return out.toByteArray();
                });
                send(ex, 200, lang.getHeaderString() + "; charset=utf-8",
                        method.equals("HEAD") ? new byte[0] : answer);
            }
            case "PUT", "POST" -> {
                Lang lang = RDFLanguages.contentTypeToLang(type);
                if (lang == null) {
                    throw new Failure(415, "unsupported content type: " + type);
                }
                Graph parsed = GraphFactory.createDefaultGraph();
                RDFParser.fromString(new String(body, StandardCharsets.UTF_8))
                        .lang(lang).parse(parsed);
                boolean[] existed = new boolean[1];
                Txn.executeWrite(dsg, () -> {
                    existed[0] = graph == null || dsg.containsGraph(graph);
                    Graph into = target(dsg, graph);
                    if (method.equals("PUT")) {
                        into.clear();
                    }
                    parsed.find().forEachRemaining(into::add);
                });
                send(ex, existed[0] ? 204 : 201, null, new byte[0]);
            }
            case "DELETE" -> {
                boolean[] existed = new boolean[1];
                Txn.executeWrite(dsg, () -> {
                    existed[0] = graph == null || dsg.containsGraph(graph);
                    if (graph == null) {
                        dsg.getDefaultGraph().clear();
                    } else if (existed[0]) {
                        dsg.removeGraph(graph);
                    }
                });
                if (!existed[0]) {
                    throw new Failure(404, "no such graph: " + graph.getURI());
                }
                send(ex, 204, null, new byte[0]);
            }
            default -> throw new Failure(405, "method not allowed: " + method);
        }
    }

    private static Graph target(DatasetGraph dsg, Node graph) {
        return graph == null ? dsg.getDefaultGraph() : dsg.getGraph(graph);
    }

    // --- HTTP -------------------------------------------------------------------------------

    private static void send(HttpExchange ex, int status, String type, byte[] body)
            throws IOException {
        if (type != null) {
            ex.getResponseHeaders().set("Content-Type", type);
        }
        boolean empty = body.length == 0 || ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, empty ? -1 : body.length);
        if (!empty) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static void parseForm(String text, Map<String, List<String>> into) {
        if (text == null || text.isEmpty()) {
            return;
        }
        for (String pair : text.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            into.computeIfAbsent(URLDecoder.decode(key, StandardCharsets.UTF_8),
                    k -> new ArrayList<>()).add(URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
    }

    private static String one(Map<String, List<String>> params, String name) {
        List<String> values = params.get(name);
        if (values == null || values.size() != 1) {
            throw new Failure(400, "give exactly one " + name);
        }
        return values.get(0);
    }

    private static String mediaType(String header) {
        return header == null ? "" : header.split(";")[0].trim().toLowerCase();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private ArqServer() {}
}
