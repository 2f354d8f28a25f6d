'use strict';
// The operator console: reads the API with the token typed in, refreshes on server-sent changes.
const state = { token: sessionStorage.getItem('slipway-token') || '', set: null, refresh: null };
const $ = (selector) => document.querySelector(selector);

function short(digest) {
  return digest ? digest.replace('sha256:', '').slice(0, 12) : '—';
}

function digestCell(digest) {
  const cell = document.createElement('td');
  if (digest) {
    const code = document.createElement('code');
    code.className = 'digest';
    code.title = digest;
    code.textContent = short(digest);
    code.onclick = () => showArtifact(digest);
    cell.appendChild(code);
  } else {
    cell.textContent = '—';
  }
  return cell;
}

function textCell(text, className) {
  const cell = document.createElement('td');
  cell.textContent = text == null ? '—' : String(text);
  if (className) cell.className = className;
  return cell;
}

async function api(path, options = {}) {
  const response = await fetch(path, {
    ...options,
    headers: { 'Authorization': 'Bearer ' + state.token, 'Content-Type': 'application/json' },
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.message || response.status + ' ' + response.statusText);
  return body;
}

async function loadSets() {
  const sets = await api('/api/sets');
  const list = $('#sets');
  list.replaceChildren(...sets.map((set) => {
    const item = document.createElement('li');
    item.dataset.set = set.name;
    const status = set.latestRollout ? set.latestRollout.status : 'no rollout';
    item.textContent = `${set.name} — ${set.healthy}/${set.hosts} healthy — ${status}`;
    if (set.name === state.set) item.className = 'selected';
    item.onclick = () => { state.set = set.name; refresh(); };
    return item;
  }));
  if (!state.set && sets.length) state.set = sets[0].name;
}

const STALE_AFTER_MS = 90 * 1000;

async function loadSet() {
  if (!state.set) return;
  const set = await api('/api/sets/' + encodeURIComponent(state.set));
  $('#detail').hidden = false;
  $('#set-name').textContent = set.name;
  $('#hosts tbody').replaceChildren(...set.hosts.map((host) => {
    const row = document.createElement('tr');
    row.dataset.host = host.agentId;
    // Agents say they are alive every 30 s: three missed and the host is stale, whatever it last said.
    const stale = host.lastSeen && Date.now() - Date.parse(host.lastSeen) > STALE_AFTER_MS;
    row.append(textCell(host.agentId), textCell(host.canary ? 'canary' : ''), digestCell(host.current),
      digestCell(host.previous),
      stale ? textCell('stale: its agent is silent (last said ' + host.health + ')', 'stale')
        : textCell(host.health + (host.problem ? ': ' + host.problem : ''), host.health),
      textCell(host.lastSeen ? new Date(host.lastSeen).toLocaleTimeString() : null));
    row.querySelector('td:nth-child(3)').classList.add('current');
    return row;
  }));
  $('#deployables tbody').replaceChildren(...set.deployables.map((flag) => {
    const row = document.createElement('tr');
    row.append(textCell(flag.channel), digestCell(flag.artifact), textCell(flag.flaggedBy),
      textCell(flag.revokedAt ? 'revoked: ' + flag.revokeReason : ''));
    return row;
  }));
  const latest = set.rollouts[0];
  $('#rollout-status').textContent = latest ? latest.status : 'none';
  $('#rollout-status').className = 'status ' + (latest ? latest.status : '');
  $('#rollout-summary').textContent = latest
    ? `${latest.id}: ${short(latest.artifact)} on ${latest.channel}, ${latest.failures} failure(s)` + (latest.reason ? ' — ' + latest.reason : '')
    : '';
  if (latest) {
    const rollout = await api('/api/rollouts/' + encodeURIComponent(latest.id));
    $('#rollout-hosts tbody').replaceChildren(...rollout.hosts.map((host) => {
      const row = document.createElement('tr');
      row.dataset.host = host.host;
      row.append(textCell(host.host), textCell(host.step, host.step), textCell(host.reason || ''));
      return row;
    }));
  } else {
    $('#rollout-hosts tbody').replaceChildren();
  }
  const audit = await api('/api/audit?size=30&set=' + encodeURIComponent(state.set));
  $('#audit').replaceChildren(...audit.items.map((entry) => {
    const item = document.createElement('li');
    item.textContent = `${new Date(entry.time).toLocaleTimeString()} ${entry.summary}`;
    item.title = entry.type + ' ' + entry.eventId;
    return item;
  }));
}

async function showArtifact(digest) {
  try {
    const view = await api('/api/artifacts/' + encodeURIComponent(digest));
    const a = view.artifact;
    $('#artifact').hidden = false;
    $('#artifact-digest').textContent = a.digest;
    const facts = {
      recipe: a.recipe, provenance: a.provenance, builder: a.builder, hermetic: a.hermetic,
      inputs: a.inputs, log: a.log, 'built at': a.builtAt,
      build: view.build ? view.build.state + (view.build.cacheHit ? ' (cache hit)' : '') : '—',
      rejected: a.rejectedReason || 'no',
      signature: await api('/api/artifacts/' + encodeURIComponent(digest) + '/provenance')
        .then((p) => `verified: ${p.builder} built it from ${p.recipe}, ${p.hermetic ? 'hermetic' : 'NOT hermetic'}`)
        .catch((error) => error.message),
    };
    $('#artifact-detail').replaceChildren(...Object.entries(facts).flatMap(([name, value]) => {
      const term = document.createElement('dt');
      term.textContent = name;
      const text = document.createElement('dd');
      text.textContent = String(value);
      return [term, text];
    }));
  } catch (error) {
    $('#command-result').textContent = error.message;
  }
}

async function refresh() {
  try {
    await loadSets();
    await loadSet();
  } catch (error) {
    $('#connection').textContent = error.message;
  }
}

function refreshSoon() {
  clearTimeout(state.refresh);
  state.refresh = setTimeout(refresh, 150);
}

async function command(name, body, question) {
  if (!confirm(question)) return;
  try {
    const accepted = await api(`/api/sets/${encodeURIComponent(state.set)}/${name}`,
      { method: 'POST', body: JSON.stringify(body) });
    $('#command-result').textContent = `${accepted.type} sent (${accepted.id})`;
  } catch (error) {
    $('#command-result').textContent = error.message;
  }
}

// Server-sent events through fetch, so the token travels in a header and never in a URL.
async function listen() {
  while (true) {
    try {
      const response = await fetch('/api/live', { headers: { 'Authorization': 'Bearer ' + state.token } });
      if (!response.ok) throw new Error('live updates refused: ' + response.status);
      $('#connection').textContent = 'live';
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        const messages = buffer.split('\n\n');
        buffer = messages.pop();
        for (const message of messages) {
          const data = message.split('\n').filter((line) => line.startsWith('data:')).map((line) => line.slice(5)).join('');
          if (!data) continue;
          const change = JSON.parse(data);
          refreshSoon(); // the stream's heartbeat too: a silent host turns stale as time passes
        }
      }
    } catch (error) {
      $('#connection').textContent = error.message;
    }
    $('#connection').textContent = 'reconnecting…';
    await new Promise((resume) => setTimeout(resume, 2000));
  }
}

$('#login').onsubmit = (event) => {
  event.preventDefault();
  state.token = $('#token').value;
  sessionStorage.setItem('slipway-token', state.token);
  refresh();
  listen();
};
$('#pause').onclick = () => command('pause', { reason: prompt('Why pause?') || 'paused from the console' },
  `Pause the rollout of ${state.set}?`);
$('#resume').onclick = () => command('resume', {}, `Resume the rollout of ${state.set}?`);
$('#rollback').onclick = () => command('rollback', { reason: prompt('Why roll back?') || 'rolled back from the console' },
  `Roll ${state.set} back to its previous version on every host?`);
$('#promote').onclick = () => {
  const channel = $('#promote-channel').value;
  const production = channel === 'production';
  if (production && prompt(`Promoting to production. Type the set name (${state.set}) to confirm.`) !== state.set) return;
  command('promote', { digest: $('#promote-digest').value, channel }, `Promote to ${state.set}/${channel}?`);
};
$('#revoke').onclick = () => command('revoke',
  { digest: $('#promote-digest').value, reason: prompt('Why revoke?') || 'revoked from the console' },
  `Revoke ${$('#promote-digest').value} on ${state.set}? No host will install it again.`);
if (state.token) {
  $('#token').value = state.token;
  refresh();
  listen();
}
