'use strict';
// The operator console: reads the API with the token typed in, refreshes on server-sent changes.
const state = {
  token: sessionStorage.getItem('slipway-token') || '', set: null, refresh: null,
  audit: { page: 0, size: 25, digest: '', everySet: false },
};
const $ = (selector) => document.querySelector(selector);
// Agents say they are alive every 30 s: three missed and the host is stale, whatever it last said.
const STALE_AFTER_MS = 90 * 1000;
const IN_A_SLOT = ['CLAIMED', 'DRAINED', 'SWITCHED'];

function short(digest) {
  return digest ? digest.replace('sha256:', '').slice(0, 12) : '—';
}

function element(tag, text, className) {
  const node = document.createElement(tag);
  node.textContent = text == null ? '—' : String(text);
  if (className) node.className = className;
  return node;
}

function textCell(text, className) {
  return element('td', text, className);
}

/** A digest shown short; a click shows the artifact. */
function digestCell(digest) {
  const cell = document.createElement('td');
  if (!digest) {
    cell.textContent = '—';
    return cell;
  }
  const code = element('code', short(digest), 'digest');
  code.title = digest;
  code.onclick = () => showArtifact(digest);
  cell.appendChild(code);
  return cell;
}

/** A digest shown short that expands to its full text on a click, and folds back on the next. */
function expandable(digest) {
  const code = element('code', short(digest), 'digest expandable');
  code.title = 'click to expand';
  code.onclick = () => {
    const full = code.textContent === digest;
    code.textContent = full ? short(digest) : digest;
    code.classList.toggle('expanded', !full);
  };
  return code;
}

/** The time of day for today's instants, the date too for older ones. */
function time(instant) {
  if (!instant) return '—';
  const at = new Date(instant);
  return at.toDateString() === new Date().toDateString() ? at.toLocaleTimeString() : at.toLocaleString();
}

function duration(from, to) {
  if (!from) return '—';
  const seconds = Math.max(0, Math.round(((to ? Date.parse(to) : Date.now()) - Date.parse(from)) / 1000));
  if (seconds < 120) return seconds + ' s';
  if (seconds < 7200) return Math.round(seconds / 60) + ' min';
  return Math.round(seconds / 3600) + ' h';
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

async function loadFleet() {
  const sets = await api('/api/sets');
  $('#sets tbody').replaceChildren(...sets.map((set) => {
    const row = document.createElement('tr');
    row.dataset.set = set.name;
    if (set.name === state.set) row.className = 'selected';
    const channels = document.createElement('td');
    for (const [channel, artifact] of Object.entries(set.channels)) {
      const offer = element('span', channel + ' ', 'channel');
      offer.appendChild(element('code', short(artifact), 'digest'));
      channels.appendChild(offer);
    }
    if (!channels.childNodes.length) channels.textContent = '—';
    const rollout = set.latestRollout;
    const status = rollout ? rollout.status : 'no rollout';
    row.append(textCell(set.name + (set.paused ? ' (paused)' : ''), 'name'), channels,
      textCell(`${set.healthy}/${set.hosts}`, set.healthy < set.hosts ? 'unhealthy' : 'healthy'),
      textCell(status, 'status ' + status),
      textCell(rollout ? `${set.rolloutDone}/${set.hosts} healthy` : '—', 'progress-text'));
    row.onclick = () => { state.set = set.name; state.audit.page = 0; refresh(); };
    return row;
  }));
  if (!state.set && sets.length) state.set = sets[0].name;
}

async function loadSet() {
  if (!state.set) return;
  const set = await api('/api/sets/' + encodeURIComponent(state.set));
  $('#detail').hidden = false;
  $('#set-name').textContent = set.name;
  $('#paused-banner').hidden = !set.paused;
  $('#paused-banner').textContent = set.paused
    ? `Paused by ${set.paused.by} since ${time(set.paused.since)}: ${set.paused.reason}. No host takes a new version until it is resumed.`
    : '';
  const holds = set.holds || [];
  $('#holds-banner').hidden = holds.length === 0;
  $('#holds-banner').textContent = holds.map((hold) => `Held by ${hold.name} (${hold.placedBy}) until `
    + `${time(hold.until)}, then ${hold.onExpiry === 'fail' ? 'the rollout fails' : 'it is released'}: `
    + `${hold.reason}.`).join(' ') + (holds.length ? ' No host takes a new version while a hold is in place.' : '');
  showHosts(set.hosts);
  showDeployables(set.deployables);
  showCommands(set.commands);
  showHistory(set.rollouts);
  await showRollout(set);
  await loadAudit();
}

function showHosts(hosts) {
  $('#hosts tbody').replaceChildren(...hosts.map((host) => {
    const row = document.createElement('tr');
    row.dataset.host = host.agentId;
    const stale = host.lastSeen && Date.now() - Date.parse(host.lastSeen) > STALE_AFTER_MS;
    row.append(textCell(host.agentId + (host.member ? '' : ' (removed)')), textCell(host.canary ? 'canary' : ''),
      digestCell(host.current), digestCell(host.previous),
      stale ? textCell('stale: its agent is silent (last said ' + host.health + ')', 'stale')
        : textCell(host.health + (host.problem ? ': ' + host.problem : ''), host.health),
      textCell(time(host.lastSeen)));
    row.querySelector('td:nth-child(3)').classList.add('current');
    return row;
  }));
}

function showDeployables(flags) {
  $('#deployables tbody').replaceChildren(...flags.map((flag) => {
    const row = document.createElement('tr');
    row.append(textCell(flag.channel), digestCell(flag.artifact),
      textCell(`${flag.flaggedBy} at ${time(flag.flaggedAt)}`),
      textCell(flag.revokedAt ? 'revoked: ' + flag.revokeReason : ''));
    return row;
  }));
}

function showCommands(commands) {
  $('#commands tbody').replaceChildren(...commands.map((command) => {
    const row = document.createElement('tr');
    row.dataset.command = command.id;
    row.append(textCell(time(command.requestedAt)), textCell(command.summary),
      textCell(command.status, 'status ' + command.status), textCell(command.by || ''),
      textCell(command.outcome || (command.status === 'SENT' ? 'on its way' : '')));
    return row;
  }));
}

function showHistory(rollouts) {
  $('#history tbody').replaceChildren(...rollouts.map((rollout) => {
    const row = document.createElement('tr');
    row.dataset.rollout = rollout.id;
    row.append(textCell(rollout.id), digestCell(rollout.artifact), textCell(rollout.channel),
      textCell(rollout.status, 'status ' + rollout.status), textCell(time(rollout.startedAt)),
      textCell(duration(rollout.startedAt, rollout.endedAt) + (rollout.endedAt ? '' : ' so far')),
      textCell(rollout.failures), textCell(rollout.reason || ''));
    return row;
  }));
}

/**
 * The latest rollout as it happens: each member's place in it (holds a slot, waits, done, failed) with the time
 * of its last step, who made its version deployable and when, and how long it has taken.
 */
async function showRollout(set) {
  const latest = set.rollouts[0];
  $('#rollout-status').textContent = latest ? latest.status : 'none';
  $('#rollout-status').className = 'status ' + (latest ? latest.status : '');
  if (!latest) {
    $('#gate-banner').hidden = true;
    $('#window-banner').hidden = true;
    $('#after-banner').hidden = true;
    $('#rollout-summary').textContent = '';
    $('#rollout-origin').textContent = '';
    $('#rollout-progress').style.width = '0';
    $('#rollout-hosts tbody').replaceChildren();
    return;
  }
  const gated = latest.gateSince && !latest.approvedBy && ['RUNNING', 'PAUSED'].includes(latest.status);
  $('#gate-banner').hidden = !gated;
  $('#gate-banner').textContent = gated ? `Rollout ${latest.id} waits for an operator's approval of batch `
    + `${latest.gateBatch + 1} after the canaries since ${time(latest.gateSince)}: `
    + `${latest.gateBatch === 0 ? 'its canaries are' : 'the batch before is'} done; the next hosts take it once `
    + 'someone approves.' : '';
  $('#window-banner').hidden = !latest.windowOpensAt;
  $('#window-banner').textContent = latest.windowOpensAt ? `Rollout ${latest.id} waits outside its deployment windows `
    + `(${latest.windows.join('; ')}): the next opens at ${time(latest.windowOpensAt)}. Override to go on now.` : '';
  const following = latest.waitingForSets || [];
  $('#after-banner').hidden = following.length === 0;
  $('#after-banner').textContent = following.length ? `Rollout ${latest.id} follows other sets: it waits until `
    + `${following.join(', ')} completed, then its hosts take it.` : '';
  const view = await api('/api/rollouts/' + encodeURIComponent(latest.id));
  const steps = new Map(view.hosts.map((host) => [host.host, host]));
  const members = set.hosts.filter((host) => host.member);
  const done = view.hosts.filter((host) => host.step === 'HEALTHY').length;
  $('#rollout-summary').textContent = `${latest.id}: ${short(latest.artifact)} on ${latest.channel}, `
    + `${done} of ${members.length} host(s) done, ${latest.failures} failure(s), `
    + `${latest.endedAt ? 'took' : 'running for'} ${duration(latest.startedAt, latest.endedAt)}`
    + (latest.reason ? ' — ' + latest.reason : '');
  const flag = set.deployables.find((d) => d.channel === latest.channel && d.artifact === latest.artifact);
  $('#rollout-origin').textContent = `started ${time(latest.startedAt)}`
    + (flag ? `, after ${flag.flaggedBy} made it deployable on ${flag.channel} at ${time(flag.flaggedAt)}` : '');
  $('#rollout-progress').style.width = members.length ? (100 * done / members.length) + '%' : '0';
  const names = [...new Set([...members.map((host) => host.agentId), ...steps.keys()])];
  $('#rollout-hosts tbody').replaceChildren(...names.map((name) => {
    const step = steps.get(name);
    const where = !step ? 'waits' : IN_A_SLOT.includes(step.step) ? 'holds a slot'
      : step.step === 'HEALTHY' ? 'done' : 'failed';
    const row = document.createElement('tr');
    row.dataset.host = name;
    row.className = where.replace(' ', '-');
    row.append(textCell(name), textCell(where), textCell(step ? step.step : '', step ? step.step : ''),
      textCell(step ? time(step.updatedAt) : ''),
      textCell([step && step.reason, step && step.hooks].filter(Boolean).join('\n'), 'detail'));
    return row;
  }));
}

async function loadAudit() {
  const audit = state.audit;
  const query = new URLSearchParams({ page: audit.page, size: audit.size });
  if (!audit.everySet) query.set('set', state.set);
  if (audit.digest) query.set('digest', audit.digest);
  let page;
  try {
    page = await api('/api/audit?' + query);
  } catch (error) {
    $('#audit').replaceChildren(element('li', error.message, 'refused'));
    return;
  }
  $('#audit').replaceChildren(...page.items.map((entry) => {
    const item = document.createElement('li');
    item.dataset.event = entry.eventId;
    if (entry.type === 'dev.slipway.command.refused') item.className = 'refused';
    item.append(element('span', time(entry.time) + ' ', 'muted'), element('span', entry.summary + ' '));
    for (const digest of entry.digests ? entry.digests.split(' ') : []) item.append(expandable(digest), ' ');
    item.title = entry.type + ' ' + entry.eventId + ' from ' + entry.source;
    return item;
  }));
  const pages = Math.max(1, Math.ceil(page.total / page.size));
  $('#audit-page').textContent = `page ${page.page + 1} of ${pages} (${page.total} entries)`;
  $('#audit-newer').disabled = page.page === 0;
  $('#audit-older').disabled = page.page + 1 >= pages;
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
      signature: await api('/api/artifacts/' + encodeURIComponent(a.digest) + '/provenance')
        .then((p) => `verified: ${p.builder} built it from ${p.recipe}, ${p.hermetic ? 'hermetic' : 'NOT hermetic'}`)
        .catch((error) => error.message),
    };
    await api('/api/artifacts/' + encodeURIComponent(a.digest) + '/builders').then((b) => {
      facts.agreement = b.agreement + (b.reason ? ': ' + b.reason : '');
      facts.builders = b.builders.map((r) => `${r.builder} built ${r.artifact.slice(7, 19)}`
        + (r.sameBytes ? ' (these bytes)' : ' (DIFFERENT bytes)')
        + (r.verifies ? ', signature verifies' : ', does NOT verify: ' + r.problem)).join('; ') || 'none yet';
    }).catch((error) => { facts.builders = error.message; });
    $('#artifact-detail').replaceChildren(...Object.entries(facts).flatMap(([name, value]) =>
      [element('dt', name), element('dd', value)]));
  } catch (error) {
    $('#command-result').textContent = error.message;
  }
}

async function refresh() {
  try {
    await loadFleet();
    await loadSet();
  } catch (error) {
    $('#connection').textContent = error.message;
  }
}

function refreshSoon() {
  clearTimeout(state.refresh);
  state.refresh = setTimeout(refresh, 150);
}

/** Sends a command; what becomes of it (carried out, or refused and why) shows in the commands table. */
async function command(name, body, question) {
  if (!confirm(question)) return;
  try {
    const accepted = await api(`/api/sets/${encodeURIComponent(state.set)}/${name}`,
      { method: 'POST', body: JSON.stringify(body) });
    $('#command-result').textContent = `${accepted.type.replace('dev.slipway.', '')} sent (${accepted.id}); `
      + 'its outcome shows under Commands';
    $('#command-result').className = 'muted';
  } catch (error) {
    $('#command-result').textContent = error.message;
    $('#command-result').className = 'refused';
  }
  refreshSoon();
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
        if (messages.some((message) => message.split('\n').some((line) => line.startsWith('data:')))) {
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
$('#audit-filter').onsubmit = (event) => {
  event.preventDefault();
  state.audit.digest = $('#audit-digest').value.trim();
  state.audit.everySet = $('#audit-all-sets').checked;
  state.audit.page = 0;
  loadAudit();
};
$('#audit-newer').onclick = () => { state.audit.page = Math.max(0, state.audit.page - 1); loadAudit(); };
$('#audit-older').onclick = () => { state.audit.page += 1; loadAudit(); };
$('#pause').onclick = () => command('pause', { reason: prompt('Why pause?') || 'paused from the console' },
  `Pause ${state.set}? Its rollout in progress, and any that starts, holds until resumed.`);
$('#resume').onclick = () => command('resume', {}, `Resume ${state.set}?`);
$('#approve').onclick = () => command('approve', { reason: prompt('Why approve?') || 'approved from the console' },
  `Approve ${state.set}'s rollout past its gate? The hosts after the canaries take the version.`);
$('#override-window').onclick = () => command('override-window',
  { reason: prompt('Why go on outside the deployment windows?') || 'overridden from the console' },
  `Let ${state.set}'s rollout go on outside its deployment windows now?`);
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
