// Granary dashboard: plain ES2020 module, no dependencies, no build step.
// Polls the silo's JSON API (/api/overview, /api/backends, /api/clients) once a second and updates the
// page in place (keyed rows), so an open client editor or a focused input is never replaced. The clients
// panel lists the registry's page and, on the first page, the clients active at the default limits (not
// registered); editing one of those registers it (POST /clients), editing a registered one changes it (PUT).
// Every string from the API reaches the page through textContent or attributes, never innerHTML.
// When the silo has admin keys, every API call carries the key (X-Admin-Key) kept in this tab's
// sessionStorage; a 401 stops the refresh and asks for the key (then resumes). An entered key is checked
// by POST /api/session, which also sets the HttpOnly session cookie that lets Orleans's dashboard
// (/orleans, which cannot send the header) through; "Forget admin key" clears both.

const REFRESH_MS = 1000;
const REQUEST_TIMEOUT_MS = 5000;
const CLIENT_PAGE_SIZE = 50;
const SEARCH_DEBOUNCE_MS = 250;
const HISTORY_WINDOW_S = 180;
const KEY_STORAGE = 'granary.adminKey';
const DASH = '–';

// ---------------------------------------------------------------- state

const state = {
    timer: 0,
    running: false,
    lastSuccessAt: 0,
    failing: false,
    clients: {
        search: '',
        after: null,     // cursor of the page on screen (null = first page)
        stack: [],       // cursors of the previous pages
        nextAfter: null,
        seq: 0,          // bumped whenever search/page changes: older responses are dropped
        total: null,
        count: 0,
        activeDefaultTotal: null,
    },
    editing: null,       // { id, source (the client row), registered, row, form, capacity, rate, save, error, busy }
    pendingSaveId: null, // the client whose save waits for the admin key
    memoryKey: null,     // fallback when sessionStorage is unavailable
    locked: false,       // the API answered 401 to a read: refresh paused until a key is entered
};

const rows = {
    silos: new Map(),
    gateways: new Map(),
    clusters: new Map(),
    backends: new Map(),
    clients: new Map(),        // registered clients of the page on screen
    defaultClients: new Map(), // clients active at the default limits (first page only)
};

// ---------------------------------------------------------------- DOM helpers

const $ = (selector, root = document) => root.querySelector(selector);

/** Creates an element. props: class, text, title, hidden, data (object), attrs (object), on (object of listeners). */
function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    if (props.class) node.className = props.class;
    if (props.text !== undefined) node.textContent = props.text;
    if (props.title !== undefined) node.title = props.title;
    if (props.hidden) node.hidden = true;
    for (const [k, v] of Object.entries(props.data ?? {})) node.dataset[k] = v;
    for (const [k, v] of Object.entries(props.attrs ?? {})) node.setAttribute(k, v);
    for (const [k, v] of Object.entries(props.on ?? {})) node.addEventListener(k, v);
    for (const child of children) {
        if (child != null) node.append(child);
    }
    return node;
}

function setText(node, text) {
    const value = String(text);
    if (node.textContent !== value) node.textContent = value;
}

function setAttr(node, name, value) {
    if (value == null) {
        if (node.hasAttribute(name)) node.removeAttribute(name);
    } else if (node.getAttribute(name) !== String(value)) {
        node.setAttribute(name, String(value));
    }
}

/** Sets a numeric field: formatted text plus the raw value in data-value (for scripts and tests). */
function setNumber(node, value, format) {
    setText(node, format(value));
    setAttr(node, 'data-value', isNum(value) ? String(value) : null);
}

function setBadge(node, text, kind) {
    setText(node, text);
    const cls = `badge ${kind}`;
    if (node.className !== cls) node.className = cls;
}

/** Makes container's children exactly `nodes`, in order, moving only what is out of place. */
function placeChildren(container, nodes) {
    let cursor = container.firstChild;
    for (const node of nodes) {
        if (node === cursor) {
            cursor = cursor.nextSibling;
            continue;
        }
        container.insertBefore(node, cursor);
    }
    while (cursor) {
        const next = cursor.nextSibling;
        container.removeChild(cursor);
        cursor = next;
    }
}

/** Keyed update: reuses the row for each key, creates missing ones, forgets the rest. Returns the rows in order. */
function syncKeyed(map, items, keyOf, create, update) {
    const seen = new Set();
    const nodes = [];
    for (const item of items) {
        const key = keyOf(item);
        if (key == null || seen.has(key)) continue;
        seen.add(key);
        let node = map.get(key);
        if (!node) {
            node = create(key, item);
            map.set(key, node);
        }
        update(node, item);
        nodes.push(node);
    }
    for (const key of [...map.keys()]) {
        if (!seen.has(key)) map.delete(key);
    }
    return nodes;
}

function placeholderRow(columns, text) {
    return el('tr', { class: 'placeholder-row' }, el('td', { class: 'placeholder', text, attrs: { colspan: String(columns) } }));
}

// ---------------------------------------------------------------- formatting

function isNum(v) {
    return typeof v === 'number' && Number.isFinite(v);
}

/** Integers (request counts, activations): no grouping, so the text parses back as a number. */
function fmtInt(v) {
    return isNum(v) ? String(Math.round(v)) : DASH;
}

/** Rates, latencies, percentages: up to 1 decimal. */
function fmtDec(v) {
    if (!isNum(v)) return DASH;
    const r = Math.round(v * 10) / 10;
    return String(Object.is(r, -0) ? 0 : r);
}

/** Unix ms from a number (Unix ms) or an ISO-8601 string; null when absent or unparsable. */
function toUnixMs(v) {
    if (isNum(v)) return v;
    if (typeof v === 'string' && v) {
        const t = Date.parse(v);
        return Number.isNaN(t) ? null : t;
    }
    return null;
}

function fmtDuration(ms) {
    if (!isNum(ms)) return DASH;
    const s = Math.max(0, ms) / 1000;
    if (s < 10) return `${fmtDec(s)} s`;
    if (s < 90) return `${Math.round(s)} s`;
    const m = s / 60;
    if (m < 90) return `${Math.round(m)} min`;
    const h = m / 60;
    if (h < 48) return `${Math.round(h)} h`;
    return `${Math.round(h / 24)} d`;
}

function fmtAgo(ms) {
    return isNum(ms) ? `${fmtDuration(ms)} ago` : DASH;
}

function str(v) {
    return v == null ? '' : String(v);
}

// ---------------------------------------------------------------- HTTP

class ApiError extends Error {
    constructor(status, message) {
        super(message);
        this.status = status;
    }
}

/** Fetches JSON from the silo with the admin key (when one is kept); throws ApiError (status 0 when unreachable). */
async function requestJson(url, init = {}) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    const headers = { Accept: 'application/json', ...(init.headers ?? {}) };
    const key = getAdminKey();
    if (key) headers['X-Admin-Key'] = key;
    let response;
    try {
        response = await fetch(url, { cache: 'no-store', ...init, headers, signal: controller.signal });
    } catch (e) {
        clearTimeout(timer);
        throw new ApiError(0, e && e.name === 'AbortError' ? `timed out after ${REQUEST_TIMEOUT_MS / 1000} s` : 'silo unreachable');
    }
    let text;
    try {
        text = await response.text();
    } finally {
        clearTimeout(timer);
    }
    let body = null;
    if (text) {
        try {
            body = JSON.parse(text);
        } catch {
            body = null;
        }
    }
    if (!response.ok) {
        const message = body && typeof body.message === 'string' ? body.message : `HTTP ${response.status} ${response.statusText}`.trim();
        throw new ApiError(response.status, message);
    }
    if (body === null && text) throw new ApiError(response.status, 'the response is not JSON');
    return body;
}

// ---------------------------------------------------------------- refresh loop

function clientsUrl() {
    const c = state.clients;
    const params = new URLSearchParams();
    params.set('limit', String(CLIENT_PAGE_SIZE));
    if (c.search) params.set('search', c.search);
    if (c.after != null) params.set('after', c.after);
    return `/api/clients?${params}`;
}

async function tick() {
    if (state.running) return;
    state.running = true;
    clearTimeout(state.timer);
    const started = performance.now();
    try {
        const seq = state.clients.seq;
        const [overview, backends, clients] = await Promise.allSettled([
            requestJson('/api/overview'),
            requestJson('/api/backends'),
            requestJson(clientsUrl()),
        ]);
        const results = [overview, backends, clients];
        if (results.some((r) => r.status === 'rejected' && r.reason && r.reason.status === 401)) {
            needKey();
            return;
        }
        const errors = [];
        apply(overview, 'overview', renderOverview, errors);
        apply(backends, 'backends', renderBackends, errors);
        if (seq === state.clients.seq) apply(clients, 'clients', renderClients, errors);
        setLive(errors);
    } catch (e) {
        console.error('refresh failed', e);
    } finally {
        state.running = false;
        // One request set at a time: the next starts 1 s after this one started (at least 100 ms after it ended).
        // While locked (401), nothing is scheduled: entering a key resumes.
        if (!state.locked) schedule(Math.max(100, REFRESH_MS - (performance.now() - started)));
    }
}

/** The API answered 401 to a read: pause the refresh, say why, and ask for the key. */
function needKey() {
    const rejected = Boolean(getAdminKey());
    if (rejected) setAdminKey(null);
    state.locked = true;
    clearTimeout(state.timer);
    const live = $('.live');
    live.classList.add('fail');
    live.classList.remove('ok');
    setText($('#status'), 'admin key required');
    const message = rejected ? 'The admin key was rejected' : 'This silo requires its admin key';
    setText($('#status-message'), message);
    $('#status-message').title = message;
    showKeyPrompt(rejected ? 'The admin key was rejected (401 Wrong admin key). Enter it again.' : '', { locked: true });
}

function apply(result, name, render, errors) {
    if (result.status === 'fulfilled') {
        try {
            render(result.value ?? {});
        } catch (e) {
            console.error(`rendering ${name} failed`, e);
            errors.push({ name, message: e && e.message ? e.message : String(e) });
        }
    } else {
        const e = result.reason;
        errors.push({ name, message: e && e.message ? e.message : String(e) });
    }
}

function schedule(delay) {
    clearTimeout(state.timer);
    if (document.hidden) return; // resumed by visibilitychange
    state.timer = setTimeout(tick, delay);
}

document.addEventListener('visibilitychange', () => {
    if (document.hidden) {
        clearTimeout(state.timer);
    } else if (!state.running && !state.locked) {
        tick();
    }
});

function setLive(errors) {
    const live = $('.live');
    if (errors.length === 0) {
        state.lastSuccessAt = Date.now();
        state.failing = false;
        live.classList.add('ok');
        live.classList.remove('fail');
        setText($('#status'), 'live');
        setText($('#status-message'), '');
        $('#status-message').title = '';
    } else {
        state.failing = true;
        live.classList.add('fail');
        live.classList.remove('ok');
        setText($('#status'), 'error');
        const message = describeErrors(errors);
        setText($('#status-message'), message);
        $('#status-message').title = message;
    }
    updateClock();
}

/** "silo unreachable" when every request failed the same way, else "overview: ... · clients: ...". */
function describeErrors(errors) {
    const messages = [...new Set(errors.map((e) => e.message))];
    if (errors.length >= 3 && messages.length === 1) return messages[0];
    return errors.map((e) => `${e.name}: ${e.message}`).join(' · ');
}

function updateClock() {
    const node = $('#updated');
    if (!state.lastSuccessAt) {
        setText(node, state.failing ? 'never updated' : '');
        return;
    }
    const ago = Math.floor((Date.now() - state.lastSuccessAt) / 1000);
    setText(node, `updated ${ago}s ago`);
}

setInterval(updateClock, 1000);

// ---------------------------------------------------------------- overview

function renderOverview(data) {
    setText($('#cluster-id'), str(data.cluster_id) || DASH);
    setText($('#view-version'), isNum(data.view_version) ? fmtInt(data.view_version) : DASH);

    const silos = Array.isArray(data.silos) ? data.silos : [];
    const siloBody = $('#silos tbody');
    const siloRows = syncKeyed(rows.silos, silos, (s) => str(s.address) || null, createSiloRow, updateSiloRow);
    placeChildren(siloBody, siloRows.length ? siloRows : [placeholderRow(6, 'No silos reported.')]);
    const failed = silos.filter((s) => s.error).length;
    const dead = silos.filter((s) => str(s.status).toLowerCase() === 'dead').length;
    setText($('#silos-count'), `${silos.length - dead}${dead ? ` · ${dead} dead` : ''}${failed ? ` · ${failed} not answering` : ''}`);
    setText($('#answered-by'), data.answered_by ? `answered by ${str(data.answered_by)}` : '');

    const gateways = Array.isArray(data.gateways) ? data.gateways : [];
    const gatewayBody = $('#gateways tbody');
    const gatewayRows = syncKeyed(rows.gateways, gateways, (g) => str(g.id) || null, createGatewayRow, updateGatewayRow);
    placeChildren(gatewayBody, gatewayRows.length ? gatewayRows : [placeholderRow(5, 'No gateway has reported in the last 15 s.')]);
    setText($('#gateways-count'), String(gateways.length));
}

function createSiloRow(key) {
    const row = el('tr', { data: { silo: key } },
        el('td', { class: 'id' },
            el('span', { class: 'mono', data: { field: 'endpoint' } }),
            el('span', { class: 'sub', data: { field: 'generation' } })),
        el('td', { class: 'wide', data: { label: 'Status' } },
            el('span', {},
                el('span', { class: 'badge neutral', data: { field: 'status' } }),
                el('span', { class: 'sub error-text', data: { field: 'error' }, hidden: true }))),
        el('td', { class: 'num', data: { label: 'Activations' } },
            el('span', { data: { field: 'activations' } }),
            el('span', { class: 'sub wrap', data: { field: 'grains' } })),
        el('td', { class: 'num', data: { field: 'calls', label: 'Calls/s' } }),
        el('td', { class: 'num', data: { field: 'cpu', label: 'CPU %' } }),
        el('td', { class: 'num', data: { field: 'memory', label: 'Memory MB' } }));
    const [endpoint, generation] = splitSiloAddress(key);
    setText($('[data-field="endpoint"]', row), endpoint);
    row.dataset.generation = generation;
    return row;
}

function splitSiloAddress(address) {
    const at = address.lastIndexOf('@');
    return at < 0 ? [address, ''] : [address.slice(0, at), address.slice(at + 1)];
}

function updateSiloRow(row, silo) {
    const error = silo.error ? str(silo.error) : '';
    row.classList.toggle('row-error', Boolean(error));
    const generation = isNum(silo.generation) ? String(silo.generation) : row.dataset.generation;
    setText($('[data-field="generation"]', row), generation ? `generation ${generation}` : '');
    const status = str(silo.status) || (error ? 'unreachable' : 'unknown');
    setBadge($('[data-field="status"]', row), status, error ? 'bad' : statusKind(status));
    row.classList.toggle('row-dead', status.toLowerCase() === 'dead');
    row.dataset.status = status;
    const errorNode = $('[data-field="error"]', row);
    errorNode.hidden = !error;
    setText(errorNode, error);
    const first = $('td', row);
    const started = toUnixMs(silo.started_at);
    first.title = [str(silo.address), str(silo.name), started ? `started ${new Date(started).toLocaleString()}` : ''].filter(Boolean).join('\n');
    setNumber($('[data-field="activations"]', row), silo.activations, fmtInt);
    // Granary's grains among the activations: the non-zero types under the number, all three in the tooltip.
    const grains = silo.grains && typeof silo.grains === 'object' ? silo.grains : null;
    const types = ['backend', 'client', 'gateway'];
    const grainsNode = $('[data-field="grains"]', row);
    setText(grainsNode, grains ? types.filter((t) => isNum(grains[t]) && grains[t] > 0).map((t) => `${fmtInt(grains[t])} ${t}`).join(' · ') : '');
    grainsNode.title = grains ? types.map((t) => `${t}: ${fmtInt(grains[t])}`).join('\n') : '';
    setNumber($('[data-field="calls"]', row), silo.grain_calls_per_sec, fmtDec);
    setNumber($('[data-field="cpu"]', row), silo.cpu_percent, fmtDec);
    setNumber($('[data-field="memory"]', row), silo.memory_mb, fmtDec);
}

function statusKind(status) {
    switch (status.toLowerCase()) {
        case 'active': return 'ok';
        case 'joining':
        case 'created':
        case 'shuttingdown':
        case 'stopping': return 'warn';
        case 'dead': return 'bad';
        default: return 'neutral';
    }
}

function createGatewayRow(key) {
    const row = el('tr', { data: { gateway: key } },
        el('td', { class: 'id' },
            el('span', { text: key }), ' ',
            el('span', { class: 'badge warn', text: 'local fallback', data: { field: 'fallback' }, hidden: true,
                title: 'The gateway cannot reach the silos and balances with its local state only' })),
        el('td', { class: 'num', data: { field: 'last-seen', label: 'Last seen' } }),
        el('td', { class: 'num', data: { field: 'rps', label: 'Req/s' } }),
        el('td', { class: 'num', data: { field: 'in-flight', label: 'In flight' } }),
        el('td', { data: { label: 'Silo' } }, el('span', { class: 'badge neutral', data: { field: 'silo-connected' } })));
    return row;
}

function updateGatewayRow(row, gw) {
    $('[data-field="fallback"]', row).hidden = gw.fallback !== true;
    setText($('[data-field="last-seen"]', row), fmtAgo(gw.last_seen_ms_ago));
    setNumber($('[data-field="rps"]', row), gw.requests_per_sec, fmtDec);
    setNumber($('[data-field="in-flight"]', row), gw.in_flight, fmtInt);
    const connected = $('[data-field="silo-connected"]', row);
    if (gw.silo_connected === true) setBadge(connected, 'connected', 'ok');
    else if (gw.silo_connected === false) setBadge(connected, 'disconnected', 'bad');
    else setBadge(connected, 'unknown', 'neutral');
}

// ---------------------------------------------------------------- backends

function renderBackends(data) {
    const list = Array.isArray(data.backends) ? data.backends : [];
    const byCluster = new Map();
    for (const b of list) {
        const cluster = str(b.cluster_id);
        if (!byCluster.has(cluster)) byCluster.set(cluster, []);
        byCluster.get(cluster).push(b);
    }
    const clusters = [...byCluster.keys()].sort().map((id) => ({ id, backends: byCluster.get(id) }));
    const container = $('#backends');
    const nodes = syncKeyed(rows.clusters, clusters, (c) => c.id, createCluster, updateCluster);
    // Drop destination cards whose cluster or destination is gone.
    const live = new Set(list.map(backendKey));
    for (const key of [...rows.backends.keys()]) {
        if (!live.has(key)) rows.backends.delete(key);
    }
    placeChildren(container, nodes.length ? nodes : [el('div', { class: 'card empty', text: 'No backends yet: they appear once a gateway has sent traffic.' })]);
    const total = isNum(data.total) ? data.total : list.length;
    const healthy = list.filter((b) => b.healthy === true).length;
    // The header says it for all clusters; each cluster head says it for its own only when there are several.
    const clusterCount = clusters.length > 1 ? `${clusters.length} clusters · ` : '';
    setText($('#backends-count'), `${clusterCount}${fmtInt(total)} destinations · ${healthy} healthy`);
    for (const node of nodes) $('[data-field="summary"]', node).hidden = clusters.length < 2;
}

function backendKey(b) {
    return `${str(b.cluster_id)}/${str(b.destination_id)}`;
}

function createCluster(id) {
    return el('div', { class: 'cluster', data: { cluster: id } },
        el('div', { class: 'cluster-head' },
            el('h3', { text: id ? `Cluster ${id}` : 'Cluster' }),
            el('span', { class: 'policy' }, 'policy ', el('strong', { data: { field: 'policy' } })),
            el('span', { class: 'muted', data: { field: 'summary' } })),
        el('div', { class: 'destinations' }));
}

function updateCluster(node, cluster) {
    const policies = [...new Set(cluster.backends.map((b) => b.policy).filter((p) => typeof p === 'string' && p))];
    setText($('[data-field="policy"]', node), policies.length ? policies.join(' / ') : 'unknown');
    const sorted = [...cluster.backends].sort((a, b) => str(a.destination_id).localeCompare(str(b.destination_id)));
    const healthy = sorted.filter((b) => b.healthy === true).length;
    setText($('[data-field="summary"]', node), `${sorted.length} destinations · ${healthy} healthy`);
    const cards = sorted.map((b) => {
        const key = backendKey(b);
        let card = rows.backends.get(key);
        if (!card) {
            card = createBackendCard(key, b);
            rows.backends.set(key, card);
        }
        updateBackendCard(card, b);
        return card;
    });
    placeChildren($('.destinations', node), cards);
}

function stat(label, field, unit, title) {
    return el('div', {},
        el('dt', { text: label, title: title ?? label }),
        el('dd', {}, el('span', { data: { field } }), unit ? el('span', { class: 'unit', text: unit }) : null));
}

function createBackendCard(key, b) {
    return el('article', { class: 'card dest', data: { backend: key } },
        el('div', { class: 'dest-head' },
            el('h3', {}, el('span', { text: str(b.destination_id) }), el('span', { class: 'addr', data: { field: 'address' } })),
            el('div', {},
                el('span', { class: 'badge neutral', data: { field: 'health' } }),
                el('span', { class: 'badge neutral', text: 'not configured', data: { field: 'configured' }, hidden: true }))),
        el('div', { class: 'health-note', data: { field: 'health-reason' } }),
        el('dl', { class: 'stats' },
            stat('In flight', 'in-flight'),
            stat('Req/s · 5 s', 'rps', null, 'Requests per second, averaged over the last 5 full seconds'),
            stat('EWMA', 'ewma', 'ms'),
            stat('p99', 'p99', 'ms'),
            stat('Requests', 'requests'),
            stat('Failures', 'failures'),
            stat('Ejections', 'ejections'),
            stat('Weight', 'weight')),
        el('div', { class: 'contribs', data: { field: 'contributions' } }),
        el('div', { class: 'sparks' },
            createSpark('rps', 'Req/s · 1 s', 'Requests in each second of the last 3 minutes; the number is the last full second (the Req/s above averages the last 5)'),
            createSpark('lat', 'Mean ms · 1 s', 'Mean latency of the requests of each second of the last 3 minutes; the number is the last full second (EWMA and p99 above weigh longer spans)')));
}

function healthOf(b) {
    if (b.ejected === true) return ['ejected', 'warn'];
    if (b.active_healthy === false) return ['unhealthy (active probe)', 'bad'];
    if (b.healthy === false) return ['unhealthy', 'bad'];
    if (b.healthy === true) return ['healthy', 'ok'];
    return ['unknown', 'neutral'];
}

function updateBackendCard(card, b) {
    const address = $('[data-field="address"]', card);
    setText(address, str(b.address));
    address.title = str(b.address); // shown whole when the card cuts it short
    const [health, kind] = healthOf(b);
    setBadge($('[data-field="health"]', card), health, kind);
    card.classList.toggle('unhealthy', kind === 'bad');
    card.classList.toggle('ejected', kind === 'warn');
    $('[data-field="configured"]', card).hidden = b.configured !== false;

    // Down: why it is down now (down_reason, from the grain's current state) and for how long; the last change,
    // which may not have brought it down (an ejection that ended while the active check still fails), goes to
    // the tooltip. Healthy: the last change and when.
    const reason = str(b.health_reason);
    const changedAt = toUnixMs(b.health_changed_at);
    const lastChange = reason ? `last change: ${reason}${changedAt ? ` (${new Date(changedAt).toLocaleString()})` : ''}` : '';
    const down = kind !== 'ok' && kind !== 'neutral';
    const downReason = str(b.down_reason);
    const note = $('[data-field="health-reason"]', card);
    const parts = [];
    if (down && downReason) {
        const since = toUnixMs(b.down_since);
        parts.push(downReason);
        if (since) parts.push(`down ${fmtDuration(Date.now() - since)}`);
        note.title = lastChange;
    } else {
        if (reason) parts.push(reason);
        if (changedAt) parts.push(`changed ${fmtAgo(Date.now() - changedAt)}`);
        note.title = changedAt ? new Date(changedAt).toLocaleString() : '';
    }
    setText(note, parts.join(' · '));
    note.classList.toggle('down', down && Boolean(downReason));

    setNumber($('[data-field="in-flight"]', card), b.in_flight, fmtInt);
    setNumber($('[data-field="rps"]', card), b.requests_per_sec, fmtDec);
    setNumber($('[data-field="ewma"]', card), b.ewma_latency_ms, fmtDec);
    setNumber($('[data-field="p99"]', card), b.p99_latency_ms, fmtDec);
    setNumber($('[data-field="requests"]', card), b.requests, fmtInt);
    setNumber($('[data-field="failures"]', card), b.failures, fmtInt);
    setNumber($('[data-field="ejections"]', card), b.ejections, fmtInt);
    setNumber($('[data-field="weight"]', card), b.weight, fmtInt);

    renderContributions($('[data-field="contributions"]', card), Array.isArray(b.contributions) ? b.contributions : []);
    const history = Array.isArray(b.history) ? b.history : [];
    updateSpark($('.spark.rps', card), history, 'rps', fmtDec);
    updateSpark($('.spark.lat', card), history, 'latency_ms', fmtDec);
}

function renderContributions(node, contributions) {
    const sorted = [...contributions].sort((a, b) => str(a.gateway_id).localeCompare(str(b.gateway_id)));
    const signature = JSON.stringify(sorted.map((c) => [c.gateway_id, c.in_flight]));
    node.title = sorted.map((c) => `${str(c.gateway_id)}: ${fmtInt(c.in_flight)} in flight, report expires in ${fmtDuration(c.expires_in_ms)}`).join('\n');
    if (node.dataset.signature === signature) return;
    node.dataset.signature = signature;
    if (sorted.length === 0) {
        node.replaceChildren(el('span', { text: 'no gateway reports in flight' }));
        return;
    }
    node.replaceChildren(
        el('span', { text: 'per gateway' }),
        ...sorted.map((c) => el('span', { class: 'chip', data: { gateway: str(c.gateway_id) } },
            el('span', { text: str(c.gateway_id) }),
            el('strong', { text: fmtInt(c.in_flight) }))));
}

// ---------------------------------------------------------------- sparklines (inline SVG)

const SVG_NS = 'http://www.w3.org/2000/svg';
const SPARK_W = 180;
const SPARK_H = 40;

function svg(tag, attrs = {}) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    return node;
}

function createSpark(kind, label, title) {
    const chart = svg('svg', { viewBox: `0 0 ${SPARK_W} ${SPARK_H}`, preserveAspectRatio: 'none', role: 'img' });
    chart.append(
        svg('path', { class: 'area', d: '' }),
        svg('path', { class: 'line', d: '' }),
        svg('text', { class: 'nodata', x: String(SPARK_W / 2), y: String(SPARK_H / 2 + 3), 'text-anchor': 'middle' }));
    return el('div', { class: `spark ${kind}`, title },
        el('div', { class: 'spark-label' },
            el('span', {}, `${label} `, el('strong', { data: { field: 'now' } })),
            el('span', { data: { field: 'max' } })),
        chart);
}

function updateSpark(node, history, field, format) {
    const points = [];
    for (const sample of history) {
        const t = toUnixMs(sample && sample.t);
        const v = sample ? sample[field] : null;
        if (t != null && isNum(v)) points.push([t, Math.max(0, v)]);
    }
    points.sort((a, b) => a[0] - b[0]);
    const chart = $('svg', node);
    const [area, line, nodata] = chart.children;
    if (points.length < 2) {
        area.setAttribute('d', '');
        line.setAttribute('d', '');
        nodata.textContent = 'no history yet';
        setText($('[data-field="now"]', node), points.length ? format(points[0][1]) : DASH);
        setText($('[data-field="max"]', node), '');
        chart.setAttribute('aria-label', 'no history yet');
        return;
    }
    nodata.textContent = '';
    const last = points[points.length - 1][0];
    const first = last - HISTORY_WINDOW_S * 1000;
    const visible = points.filter((p) => p[0] >= first);
    const max = Math.max(...visible.map((p) => p[1]));
    const scale = max > 0 ? max * 1.1 : 1;
    const x = (t) => ((t - first) / (last - first)) * SPARK_W;
    const y = (v) => SPARK_H - 1 - (v / scale) * (SPARK_H - 4);
    const coords = visible.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`);
    const d = `M${coords.join('L')}`;
    line.setAttribute('d', d);
    area.setAttribute('d', `${d}L${x(visible[visible.length - 1][0]).toFixed(1)},${SPARK_H}L${x(visible[0][0]).toFixed(1)},${SPARK_H}Z`);
    const now = visible[visible.length - 1][1];
    setText($('[data-field="now"]', node), format(now));
    setText($('[data-field="max"]', node), `max ${format(max)}`);
    const minutes = Math.round((last - visible[0][0]) / 60000);
    chart.setAttribute('aria-label', `last ${minutes || '<1'} min, now ${format(now)}, max ${format(max)}`);
}

// ---------------------------------------------------------------- clients

// The sub-heading over the clients active at the default limits, and the line saying no client is registered,
// kept across refreshes (placeChildren moves them, never rebuilds them).
const defaultHead = el('tr', { class: 'group-head', data: { group: 'active-default' } },
    el('th', { attrs: { colspan: '7', scope: 'colgroup' } },
        el('span', { text: 'Active at default limits (not registered)' }), ' ',
        el('span', { class: 'muted', data: { field: 'active-default-count' } }), ' ',
        el('span', { class: 'error-text', data: { field: 'active-default-error' } })));
const noneRegistered = placeholderRow(7, '');

function renderClients(data) {
    const c = state.clients;
    const list = Array.isArray(data.clients) ? data.clients : [];
    c.nextAfter = typeof data.next_after === 'string' && data.next_after ? data.next_after : null;
    c.total = isNum(data.total) ? data.total : null;
    c.count = list.length;
    c.activeDefaultTotal = isNum(data.active_default_total) ? data.active_default_total : null;
    // The clients at default limits go with the first page only.
    const firstPage = c.after == null;
    const defaults = firstPage && Array.isArray(data.active_default) ? data.active_default : [];
    const errors = firstPage && Array.isArray(data.errors) ? data.errors : [];

    const keyOf = (x) => str(x.client_id) || null;
    const nodes = [];
    const shown = new Set();
    const add = (row) => {
        nodes.push(row);
        shown.add(row);
        if (state.editing && state.editing.source === row) nodes.push(state.editing.row);
    };
    syncKeyed(rows.clients, list, keyOf, (key) => createClientRow(key, true), updateClientRow).forEach(add);
    const defaultRows = syncKeyed(rows.defaultClients, defaults, keyOf, (key) => createClientRow(key, false), updateClientRow);
    if (defaultRows.length || errors.length) {
        if (list.length === 0) {
            setText($('td', noneRegistered), c.search ? `No registered client id starts with “${c.search}”.` : 'No clients registered.');
            nodes.push(noneRegistered);
        }
        const total = c.activeDefaultTotal ?? defaultRows.length;
        const more = total > defaultRows.length ? ` (first ${defaultRows.length} by id)` : '';
        setText($('[data-field="active-default-count"]', defaultHead),
            `· ${fmtInt(total)}${data.active_default_capped === true ? '+' : ''} active${more}`);
        setText($('[data-field="active-default-error"]', defaultHead),
            errors.map((e) => `silo ${str(e.address)} did not answer: ${str(e.error)}`).join(' · '));
        nodes.push(defaultHead);
        defaultRows.forEach(add);
    }
    if (state.editing && !shown.has(state.editing.source)) closeEditor();
    placeChildren($('#clients tbody'), nodes);
    $('#clients-empty').hidden = nodes.length > 0;
    setText($('#clients-empty'), c.search ? `No client id starts with “${c.search}”.` : 'No clients registered, none active at the default limits.');
    updatePager();
}

function updatePager() {
    const c = state.clients;
    $('button[data-action="prev"]').disabled = c.stack.length === 0;
    $('button[data-action="next"]').disabled = c.nextAfter == null;
    const page = c.stack.length + 1;
    const from = c.stack.length * CLIENT_PAGE_SIZE + (c.count ? 1 : 0);
    const to = c.stack.length * CLIENT_PAGE_SIZE + c.count;
    setText($('#clients-page'), `Page ${page} · ${from}–${to}`);
    const totalText = c.total == null ? '' : `${fmtInt(c.total)} ${c.search ? 'registered matching' : 'registered'}`;
    const defaultText = c.activeDefaultTotal ? ` · ${fmtInt(c.activeDefaultTotal)} at default limits` : '';
    setText($('#clients-total'), totalText + defaultText);
}

/** A client row; `registered` false: a client active at the default limits, whose Edit registers it. */
function createClientRow(key, registered) {
    const edit = registered
        ? el('button', { class: 'small', text: 'Edit', attrs: { type: 'button', 'aria-label': `Edit limits of ${key}` }, data: { action: 'edit' } })
        : el('button', { class: 'small', text: 'Edit', title: 'Register this client with its own limits (POST /clients)',
            attrs: { type: 'button', 'aria-label': `Register ${key} with its own limits` }, data: { action: 'edit' } });
    return el('tr', { class: registered ? 'has-actions' : 'has-actions default-client', data: { client: key, registered: String(registered) } },
        el('td', { class: 'id' },
            el('span', { class: 'mono', text: key }), ' ',
            el('span', { class: 'badge warn', text: 'default limits', data: { field: 'limits-source' }, hidden: true,
                title: 'The client grain is using the default limits, not the registry’s' }),
            el('span', { class: 'sub error-text', data: { field: 'error' }, hidden: true })),
        el('td', { class: 'num', data: { field: 'capacity', label: 'Capacity' } }),
        el('td', { class: 'num', data: { field: 'rate', label: 'Rate/s' } }),
        el('td', { class: 'wide', data: { label: 'Tokens' } },
            el('div', { class: 'tokens' },
                el('div', { class: 'bar', attrs: { role: 'presentation' } }, el('span', {})),
                el('span', { data: { field: 'tokens' } }))),
        el('td', { class: 'num', data: { field: 'admitted', label: 'Admitted' } }),
        el('td', { class: 'num', data: { field: 'rejected', label: 'Rejected' } }),
        el('td', { class: 'actions' }, edit));
}

function updateClientRow(row, client) {
    const error = client.error ? str(client.error) : '';
    const errorNode = $('[data-field="error"]', row);
    errorNode.hidden = !error;
    setText(errorNode, error ? `live state unavailable: ${error}` : '');
    $('[data-field="limits-source"]', row).hidden = client.limits_source !== 'default';
    setNumber($('[data-field="capacity"]', row), client.capacity, fmtInt);
    setNumber($('[data-field="rate"]', row), client.rate_per_sec, fmtDec);
    setNumber($('[data-field="tokens"]', row), client.tokens, fmtDec);
    setNumber($('[data-field="admitted"]', row), client.admitted, fmtInt);
    setNumber($('[data-field="rejected"]', row), client.rejected, fmtInt);
    const bar = $('.bar', row);
    const fill = isNum(client.tokens) && isNum(client.capacity) && client.capacity > 0
        ? Math.min(1, Math.max(0, client.tokens / client.capacity)) : 0;
    bar.firstChild.style.width = `${(fill * 100).toFixed(1)}%`;
    bar.classList.toggle('low', isNum(client.tokens) && fill < 0.25 && client.tokens >= 1);
    bar.classList.toggle('empty', isNum(client.tokens) && client.tokens < 1);
    bar.title = isNum(client.tokens) ? `${fmtDec(client.tokens)} of ${fmtInt(client.capacity)} tokens` : 'unknown';
    row.dataset.capacity = isNum(client.capacity) ? String(client.capacity) : '';
    row.dataset.rate = isNum(client.rate_per_sec) ? String(client.rate_per_sec) : '';
}

/** Fetches the clients page now (search, paging or a client changed), without waiting for the next tick. */
async function refreshClients() {
    const seq = ++state.clients.seq;
    updatePager();
    try {
        const data = await requestJson(clientsUrl());
        if (seq === state.clients.seq) renderClients(data ?? {});
    } catch (e) {
        if (e.status === 401) needKey();
        else if (seq === state.clients.seq) setLive([{ name: 'clients', message: e.message }]);
    }
}

function goToPage(after, stack) {
    // An open editor stays open if its client is on the new page; renderClients closes it otherwise
    // (a search settling just after a click on Edit must not throw the edit away).
    state.clients.after = after;
    state.clients.stack = stack;
    refreshClients();
}

let searchTimer = 0;
$('#clients-search').addEventListener('input', (event) => {
    clearTimeout(searchTimer);
    const value = event.target.value.trim();
    searchTimer = setTimeout(() => {
        if (value === state.clients.search) return;
        state.clients.search = value;
        goToPage(null, []);
    }, SEARCH_DEBOUNCE_MS);
});

$('button[data-action="next"]').addEventListener('click', () => {
    const c = state.clients;
    if (c.nextAfter == null) return;
    goToPage(c.nextAfter, [...c.stack, c.after]);
});

$('button[data-action="prev"]').addEventListener('click', () => {
    const c = state.clients;
    if (c.stack.length === 0) return;
    const stack = c.stack.slice(0, -1);
    goToPage(c.stack[c.stack.length - 1], stack);
});

// ---------------------------------------------------------------- client editor

$('#clients tbody').addEventListener('click', (event) => {
    const button = event.target.closest('button[data-action]');
    if (!button) return;
    const action = button.dataset.action;
    if (action === 'edit') {
        const row = button.closest('tr[data-client]');
        if (row) openEditor(row.dataset.client, row, row.dataset.registered !== 'false');
    } else if (action === 'cancel') {
        closeEditor();
    }
});

function openEditor(id, clientRow, registered) {
    if (state.editing && state.editing.source === clientRow) {
        state.editing.capacity.focus();
        return;
    }
    closeEditor();
    const capacity = el('input', { attrs: { name: 'capacity', type: 'number', min: '1', step: '1', inputmode: 'numeric', required: '' } });
    const rate = el('input', { attrs: { name: 'rate_per_sec', type: 'number', min: '0', step: 'any', inputmode: 'decimal', required: '' } });
    capacity.value = clientRow.dataset.capacity ?? '';
    rate.value = clientRow.dataset.rate ?? '';
    const saveText = registered ? 'Save' : 'Register';
    const save = el('button', { class: 'primary', text: saveText, attrs: { type: 'submit' }, data: { action: 'save' } });
    const error = el('p', { class: 'error-text', attrs: { role: 'alert' } });
    const form = el('form', { class: 'editor-form', attrs: { novalidate: '' } },
        el('strong', { class: 'mono', text: id }),
        registered ? null : el('span', { class: 'muted', text: 'not registered: saving registers it with these limits' }),
        el('label', {}, el('span', { class: 'label', text: 'Capacity (tokens)' }), capacity),
        el('label', {}, el('span', { class: 'label', text: 'Rate (tokens/s)' }), rate),
        save,
        el('button', { text: 'Cancel', attrs: { type: 'button' }, data: { action: 'cancel' } }),
        error);
    form.addEventListener('submit', (event) => {
        event.preventDefault();
        saveEdit();
    });
    form.addEventListener('keydown', (event) => {
        if (event.key === 'Escape') closeEditor();
    });
    const row = el('tr', { class: 'editor', data: { editor: id } }, el('td', { attrs: { colspan: '7' } }, form));
    state.editing = { id, source: clientRow, registered, saveText, row, form, capacity, rate, save, error, busy: false };
    clientRow.classList.add('editing');
    clientRow.after(row);
    capacity.focus();
    capacity.select();
}

function closeEditor() {
    const ed = state.editing;
    if (!ed) return;
    state.editing = null;
    ed.row.remove();
    ed.source.classList.remove('editing');
    if (state.pendingSaveId === ed.id) {
        state.pendingSaveId = null;
        hideKeyPrompt();
    }
}

function readEditor(ed) {
    const body = {};
    const cap = ed.capacity.value.trim();
    const rate = ed.rate.value.trim();
    if (cap !== '') {
        const n = Number(cap);
        if (!Number.isInteger(n) || n < 1) return { error: 'Capacity must be a whole number of tokens, at least 1.' };
        body.capacity = n;
    }
    if (rate !== '') {
        const n = Number(rate);
        if (!Number.isFinite(n) || n < 0) return { error: 'Rate must be a number of tokens per second, 0 or more.' };
        body.rate_per_sec = n;
    }
    if (!('capacity' in body) && !('rate_per_sec' in body)) return { error: 'Set the capacity, the rate or both.' };
    if (!ed.registered && !('capacity' in body && 'rate_per_sec' in body)) return { error: 'Registering a client needs both the capacity and the rate.' };
    return { body };
}

async function saveEdit() {
    const ed = state.editing;
    if (!ed || ed.busy) return;
    const { body, error } = readEditor(ed);
    if (error) {
        setText(ed.error, error);
        return;
    }
    ed.busy = true;
    ed.save.disabled = true;
    setText(ed.save, 'Saving…');
    setText(ed.error, '');
    const key = getAdminKey();
    try {
        await writeClient(ed, body);
        if (state.editing === ed) closeEditor();
        // A client just registered moves from the default-limits rows to the registered ones: flash it there.
        if (!ed.registered) await refreshClients();
        flash(rows.clients.get(ed.id));
        if (ed.registered) refreshClients();
    } catch (e) {
        if (state.editing !== ed) return;
        if (e.status === 401) {
            state.pendingSaveId = ed.id;
            if (key) setAdminKey(null);
            showKeyPrompt(key ? `The admin key was rejected (${e.message}). Enter it again.` : 'Changing a client needs the admin key.');
            setText(ed.error, 'Not saved yet: the silo requires the admin key.');
        } else {
            setText(ed.error, e.message || 'Saving failed.');
        }
    } finally {
        ed.busy = false;
        ed.save.disabled = false;
        setText(ed.save, ed.saveText);
    }
}

/**
 * PUT /clients/{id} for a registered client; POST /clients (client_id, capacity, rate_per_sec) for one at the
 * default limits, which registers it, or PUT when someone registered it meanwhile (409).
 */
async function writeClient(ed, body) {
    const headers = { 'Content-Type': 'application/json' };
    const put = () => requestJson(`/clients/${encodeURIComponent(ed.id)}`, { method: 'PUT', headers, body: JSON.stringify(body) });
    if (ed.registered) return put();
    try {
        return await requestJson('/clients', { method: 'POST', headers, body: JSON.stringify({ client_id: ed.id, ...body }) });
    } catch (e) {
        if (e.status === 409) return put();
        throw e;
    }
}

function flash(row) {
    if (!row) return;
    row.classList.remove('saved');
    void row.offsetWidth; // restart the highlight animation
    row.classList.add('saved');
}

// ---------------------------------------------------------------- admin key

function getAdminKey() {
    try {
        return sessionStorage.getItem(KEY_STORAGE) || state.memoryKey;
    } catch {
        return state.memoryKey;
    }
}

function setAdminKey(key) {
    state.memoryKey = key || null;
    try {
        if (key) sessionStorage.setItem(KEY_STORAGE, key);
        else sessionStorage.removeItem(KEY_STORAGE);
    } catch {
        // sessionStorage unavailable (privacy mode): the in-memory copy lasts until the page reloads.
    }
    $('#forget-key').hidden = !key;
}

/** Shows the key prompt (once: a prompt already open keeps what is typed). locked: the page shows no data without a key, so no Cancel. */
function showKeyPrompt(message, { locked = false } = {}) {
    const prompt = $('#key-prompt');
    const wasOpen = !prompt.hidden;
    prompt.hidden = false;
    $('button[data-action="cancel-key"]').hidden = locked;
    setText($('#key-message'), message);
    if (!wasOpen) {
        const input = $('#admin-key');
        input.value = '';
        input.focus();
    }
}

function hideKeyPrompt() {
    $('#key-prompt').hidden = true;
    setText($('#key-message'), '');
}

/**
 * Asks the silo for the admin session cookie (POST /api/session) with `key`: that checks the key and lets
 * /orleans through. Resolves true when accepted, false on 401; throws ApiError for anything else.
 */
async function openSession(key) {
    try {
        await requestJson('/api/session', { method: 'POST', headers: { 'X-Admin-Key': key } });
        $('#orleans-link').dataset.session = 'set';
        return true;
    } catch (e) {
        if (e.status === 401) return false;
        throw e;
    }
}

let submitting = false;

async function submitKey() {
    const key = $('#admin-key').value;
    if (!key) {
        setText($('#key-message'), 'Enter the admin key.');
        return;
    }
    if (submitting) return;
    submitting = true;
    const button = $('button[data-action="save-key"]');
    button.disabled = true;
    try {
        if (!(await openSession(key))) {
            setText($('#key-message'), 'The admin key was rejected (401 Wrong admin key). Enter it again.');
            $('#admin-key').select();
            return;
        }
    } catch (e) {
        setText($('#key-message'), `The key could not be checked: ${e.message}`);
        return;
    } finally {
        submitting = false;
        button.disabled = false;
    }
    setAdminKey(key);
    $('#admin-key').value = '';
    hideKeyPrompt();
    if (state.locked) {
        state.locked = false;
        setText($('#status'), 'connecting');
        if (!state.running) tick();
    }
    const pending = state.pendingSaveId;
    state.pendingSaveId = null;
    if (pending && state.editing && state.editing.id === pending) saveEdit();
}

$('button[data-action="save-key"]').addEventListener('click', submitKey);
$('#admin-key').addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
        event.preventDefault();
        submitKey();
    } else if (event.key === 'Escape' && !state.locked) {
        hideKeyPrompt();
        state.pendingSaveId = null;
    }
});
$('button[data-action="cancel-key"]').addEventListener('click', () => {
    hideKeyPrompt();
    state.pendingSaveId = null;
});
$('#forget-key').addEventListener('click', async () => {
    try {
        await requestJson('/api/session', { method: 'DELETE' }); // clears the /orleans cookie too
    } catch {
        // The cookie expires with the browser session (and after 12 h) anyway.
    }
    delete $('#orleans-link').dataset.session;
    setAdminKey(null);
    if (!state.running) tick(); // a silo that needs the key for reads asks for it at once
});
$('#forget-key').hidden = !getAdminKey();
// A key kept from earlier in this tab: renew the /orleans cookie (a rejected key is asked for again by the refresh).
if (getAdminKey()) openSession(getAdminKey()).catch(() => {});

// ---------------------------------------------------------------- grain lookup

let lookupSeq = 0;

$('#lookup-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const type = $('#lookup-type').value;
    const key = $('#lookup-key').value.trim();
    const result = $('#lookup-result');
    if (!key) {
        result.replaceChildren(el('p', { class: 'error-text', text: 'Enter a key.' }));
        return;
    }
    const seq = ++lookupSeq;
    const button = $('button[data-action="lookup"]');
    button.disabled = true;
    result.setAttribute('aria-busy', 'true');
    try {
        const data = await requestJson(`/api/grains/${encodeURIComponent(type)}/${encodeURIComponent(key)}`);
        if (seq === lookupSeq) renderLookup(data ?? {});
    } catch (e) {
        if (e.status === 401) needKey();
        if (seq === lookupSeq) {
            result.replaceChildren(el('p', { class: 'error-text', data: { field: 'error' }, text: e.status ? `${e.status}: ${e.message}` : e.message }));
        }
    } finally {
        if (seq === lookupSeq) {
            button.disabled = false;
            result.removeAttribute('aria-busy');
        }
    }
});

function renderLookup(data) {
    const owner = str(data.owner) || DASH;
    const active = data.active === true ? 'yes' : data.active === false ? 'no' : DASH;
    const ownerNode = el('dd', { class: 'mono', data: { field: 'owner' } }, owner);
    const grainState = data.state === undefined ? null : data.state;
    $('#lookup-result').replaceChildren(...[
        el('dl', {},
            el('dt', { text: 'Grain' }), el('dd', { class: 'mono', data: { field: 'grain-id' }, text: str(data.grain_id) || `${str(data.type)}/${str(data.key)}` }),
            el('dt', { text: 'Owner silo' }), ownerNode,
            el('dt', { text: 'Active' }), el('dd', { data: { field: 'active' }, text: active })),
        data.error ? el('p', { class: 'error-text', data: { field: 'error' }, text: str(data.error) }) : null,
        el('pre', { data: { field: 'state' }, text: grainState === null && data.active === false ? 'null (not active; the lookup does not create it)' : JSON.stringify(grainState, null, 2) }),
    ].filter(Boolean));
}

// ---------------------------------------------------------------- start

tick();
