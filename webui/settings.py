"""Default settings of the web app (every UPPER_CASE name here becomes a Flask config key).

Override them in a Python file named by the environment variable ``AMKG_SETTINGS`` (or a
``.json`` / ``.toml`` file), or with ``create_app(test_config={...})``; later layers win.
"""

from __future__ import annotations

#: Directory with the data's Turtle files (``None``: ``$AMKG_DATA_DIR``, else ``graph/data``).
DATA_DIR: str | None = None
#: Directory with the ontology's Turtle files (``None``: ``ontology/``).
ONTOLOGY_DIR: str | None = None
#: Directory of the store (``None``: ``$AMKG_STORE``, else the user's data directory).
STORE_PATH: str | None = None
#: A SPARQL 1.1 server that holds the graph instead (its query endpoint; ``None``:
#: ``$AMKG_STORE_URL``, else the embedded store). Load it with ``amkg load --into URL``.
STORE_URL: str | None = None
#: Its SPARQL Update endpoint (``None``: ``.../query`` -> ``.../update``, else the same URL).
STORE_UPDATE_URL: str | None = None
#: Its Graph Store Protocol endpoint (``None``: loads use SPARQL Update, dumps a CONSTRUCT).
STORE_GSP_URL: str | None = None
#: The named graph of the server that holds the data.
STORE_GRAPH = "https://w3id.org/amkg/graph"
#: Seconds a page's query to the server may take (then 503); also the connect timeout's cap.
STORE_TIMEOUT = 30.0
#: Send the server our time limit as ``timeout=`` in ``seconds`` (Fuseki) or ``milliseconds``
#: (Virtuoso); ``None``: not sent. Credentials come only from ``$AMKG_STORE_USER`` /
#: ``$AMKG_STORE_PASSWORD`` or the file named by ``$AMKG_STORE_CREDENTIALS``.
STORE_SERVER_TIMEOUT: str | None = None
#: Query engine of the store: ``oxigraph`` (embedded, default) or ``rdflib``.
QUERY_ENGINE = "oxigraph"

# --- The SPARQL endpoint (/sparql) --------------------------------------------------------
#: Hard time limit per query, in seconds: an overrunning query's worker process is killed.
QUERY_TIMEOUT = 10.0
#: Long-lived worker processes that evaluate queries, per web process (amkg serve --workers).
QUERY_WORKERS = 2
#: Queries evaluated at the same time (``None``: one per worker).
MAX_CONCURRENT_QUERIES: int | None = None
#: Seconds a request waits its turn for a free worker (longer while a replacement worker
#: starts) before it gets 429 with Retry-After.
QUERY_QUEUE_WAIT = 5.0
#: Seconds a worker may take to load the graph when it starts.
WORKER_START_TIMEOUT = 120.0
#: Address-space cap of each worker process in MB (``None``: no cap; Unix only). A query that
#: needs more fails with 503 instead of starving the host. At least 768: opening the store
#: takes a few hundred MB (RocksDB's threads and caches); below, the workers refuse to start
#: and say so (``queries.worker.MIN_WORKER_MEMORY_MB``).
WORKER_MEMORY_MB: int | None = 1024
#: At most this many rows (SELECT) or triples (CONSTRUCT/DESCRIBE) in an answer; a longer
#: answer is cut and says so in the header ``X-AMKG-Truncated: true``.
ROW_LIMIT = 10_000
#: Largest request body in bytes (Flask's MAX_CONTENT_LENGTH; larger: 413).
MAX_BODY_BYTES = 256 * 1024
#: Longest query text in characters (longer: 400).
MAX_QUERY_CHARS = 20_000
#: Deepest nesting of ( [ { outside strings and comments (deeper: 400).
MAX_NESTING = 64
#: Most operators (+ - * / ! && || comparisons, path operators, UNION, MINUS, OPTIONAL) in a
#: query (more: 400): each deepens the parse tree, like a bracket.
MAX_OPERATORS = 1_000
#: Most tokens in a query (more: 400).
MAX_TOKENS = 6_000
#: About the most bytes of an answer (a longer one is cut while it is read, and says so).
MAX_ANSWER_BYTES = 16 * 1024 * 1024
#: Query workers one client may hold at once (``None``: half the pool, at least one); its
#: further queries wait ``QUERY_QUEUE_WAIT`` s for its own turn, then get 429.
QUERY_CLIENT_SHARE: int | None = None
#: Requests that may wait for a query worker at once (``None``: as many as there are
#: workers; ``amkg serve``: threads - workers - 4); more get 429 at once, so /sparql never
#: holds every thread of a web process.
QUERY_MAX_WAITING: int | None = None
#: A header that names the client (``X-Forwarded-For``, ``X-Real-IP``) for the fair share,
#: to be set only behind a reverse proxy that sets it; ``None``: the peer address.
CLIENT_ADDRESS_HEADER: str | None = None

#: ``amkg serve``: each web process hands its writes (edit forms, SPARQL Update, Graph Store
#: writes) to a process of its own that runs at this nice value (0 to 19; higher: less CPU
#: when the machine is busy), so edits do not slow down reading (webui/write_process.py);
#: ``None``: writes run in the web process.
WRITE_PROCESS_NICE: int | None = 10

# --- Pages --------------------------------------------------------------------------------
#: Most nodes a graph view draws.
GRAPH_NODE_CAP = 500

# --- Accounts and editing (webui/accounts.py, webui/auth.py) --------------------------------
#: The accounts file (SQLite). ``None``: ``$AMKG_ACCOUNTS``, else ``accounts.sqlite3`` in the
#: store root (beside the stores).
ACCOUNTS_PATH: str | None = None
#: The key that signs session cookies. ``None``: one made once and kept in the accounts file.
SECRET_KEY: str | None = None
SESSION_COOKIE_NAME = "amkg_session"
#: ``Lax`` or ``Strict``.
SESSION_COOKIE_SAMESITE = "Lax"
#: Always mark the session cookie Secure (it is marked Secure over https anyway); set it behind
#: a proxy that ends TLS.
SESSION_COOKIE_SECURE = False
#: Failed logins per account, and per client address, within the window, before further
#: attempts are refused (429) until the oldest failure leaves the window (seconds).
LOGIN_FAILURES_PER_ACCOUNT = 5
LOGIN_FAILURES_PER_ADDRESS = 20
LOGIN_FAILURE_WINDOW = 15 * 60.0
#: Largest body of a Graph Store Protocol PUT or POST (/rdf-graph-store), in bytes.
GRAPH_STORE_MAX_BYTES = 32 * 1024 * 1024
