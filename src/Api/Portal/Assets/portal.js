// CIOPulse Portal: the little script the pages use. Everything works without it except live
// updates; it never builds markup from received text (rows are filled with textContent).
(() => {
  'use strict';

  const LIVE_URL = '/portal/live';
  const FALLBACK_INTERVAL_MS = 10000;

  document.addEventListener('DOMContentLoaded', () => {
    setUpPayloadTools();
    setUpSecretCopy();
    const bulk = document.getElementById('bulk-progress');
    if (bulk && bulk.dataset.status === 'Running') {
      watchBulkResend(bulk);
    }
    const marker = document.getElementById('live');
    if (marker && 'EventSource' in window) {
      startLive(marker);
    }
  });

  // --- Payload: Pretty/Raw toggle and Copy -------------------------------------------------

  function setUpPayloadTools() {
    const tools = document.getElementById('payload-tools');
    const pretty = document.getElementById('payload-pretty');
    const rawDetails = document.getElementById('payload-raw-details');
    const raw = document.getElementById('payload-raw');
    if (!tools || !pretty || !rawDetails || !raw) {
      return;
    }

    tools.hidden = false;
    rawDetails.hidden = true;
    rawDetails.open = true;
    const toggle = document.getElementById('payload-toggle');
    toggle.addEventListener('click', () => {
      const showRaw = rawDetails.hidden;
      rawDetails.hidden = !showRaw;
      pretty.hidden = showRaw;
      toggle.setAttribute('aria-pressed', String(showRaw));
      toggle.textContent = showRaw ? 'Pretty' : 'Raw';
    });

    const copied = document.getElementById('payload-copied');
    document.getElementById('payload-copy').addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(raw.textContent);
        copied.textContent = 'Copied the exact payload.';
      } catch {
        const range = document.createRange();
        range.selectNodeContents(raw);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        copied.textContent = 'Selected: press Ctrl+C to copy.';
      }
    });
  }

  // --- Signing secret: Copy (the field is read-only and selectable without script) ------------

  function setUpSecretCopy() {
    const field = document.getElementById('signing-secret');
    const button = document.getElementById('signing-secret-copy');
    const copied = document.getElementById('signing-secret-copied');
    if (!field || !button || !copied) {
      return;
    }

    button.hidden = false;
    button.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(field.value);
        copied.textContent = 'Copied the signing secret.';
      } catch {
        field.focus();
        field.select();
        copied.textContent = 'Selected: press Ctrl+C to copy.';
      }
    });
  }

  // --- Bulk resend progress ----------------------------------------------------------------

  const BULK_POLL_MS = 1000;

  function watchBulkResend(section) {
    const url = section.dataset.progressUrl;
    const set = (id, text) => { document.getElementById(id).textContent = String(text); };
    const statusClass = { Running: 'status-in-progress', Completed: 'status-succeeded', Cancelled: 'status-failed' };
    const poll = async () => {
      let progress;
      try {
        const response = await fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        progress = await response.json();
      } catch {
        setTimeout(poll, BULK_POLL_MS * 5);
        return;
      }

      set('bulk-done', progress.done);
      set('bulk-total', progress.total);
      set('bulk-succeeded', progress.succeeded);
      set('bulk-failed', progress.failed);
      const bar = document.getElementById('bulk-bar');
      bar.max = Math.max(progress.total, 1);
      bar.value = progress.total === 0 ? 1 : progress.done;
      const status = document.getElementById('bulk-status');
      status.textContent = progress.status;
      status.className = 'status ' + (statusClass[progress.status] || '');
      section.dataset.status = progress.status;
      if (progress.status === 'Running') {
        setTimeout(poll, BULK_POLL_MS);
      } else {
        set('bulk-finished', progress.finishedUtc ? progress.finishedUtc.replace('T', ' ').slice(0, 19) : '–');
        const cancel = document.getElementById('bulk-cancel');
        if (cancel) {
          cancel.remove();
        }
      }
    };
    setTimeout(poll, BULK_POLL_MS);
  }

  // --- Live updates ------------------------------------------------------------------------

  function startLive(marker) {
    const webhookId = marker.dataset.webhookId || null;
    const url = LIVE_URL + (webhookId ? '?webhookId=' + encodeURIComponent(webhookId) : '');
    const onRows = webhookId ? detailUpdater(webhookId) : logUpdater();
    if (!onRows) {
      return;
    }

    marker.hidden = false;
    let source = null;
    let fallbackTimer = null;
    let reconnectTimer = null;

    const setState = (state, text) => {
      marker.dataset.state = state;
      marker.querySelector('.live-text').textContent = text;
    };

    const startFallback = () => {
      if (fallbackTimer === null) {
        fallbackTimer = setInterval(onRows.refresh, FALLBACK_INTERVAL_MS);
        onRows.refresh();
      }
    };

    const stopFallback = () => {
      if (fallbackTimer !== null) {
        clearInterval(fallbackTimer);
        fallbackTimer = null;
      }
    };

    const connect = () => {
      reconnectTimer = null;
      source = new EventSource(url);
      source.addEventListener('ready', () => {
        setState('live', 'Live');
        stopFallback();
      });
      source.addEventListener('rows', event => {
        try {
          onRows.apply(JSON.parse(event.data));
        } catch (error) {
          console.error('CIOPulse: a live update could not be applied', error);
        }
      });
      source.onerror = () => {
        if (source.readyState === EventSource.CLOSED) {
          // The service refused the stream (signed out, restarting): refresh by hand, try again later.
          setState('fallback', 'Live updates paused: refreshing every 10 s');
          startFallback();
          if (reconnectTimer === null) {
            reconnectTimer = setTimeout(connect, FALLBACK_INTERVAL_MS);
          }
        } else {
          // The browser reconnects by itself; meanwhile the page refreshes itself.
          setState('reconnecting', 'Reconnecting…');
          startFallback();
        }
      };
    };

    connect();
    window.addEventListener('pagehide', () => source && source.close());
  }

  /** The Webhook Log: rows on the page change in place; on the first page, new matching webhooks appear at the top. */
  function logUpdater() {
    const table = document.getElementById('log-table');
    const body = document.getElementById('log-rows');
    const template = document.getElementById('row-template');
    if (!table || !body || !template) {
      return null;
    }

    const firstPage = table.dataset.firstPage === 'true';
    const status = document.getElementById('paging-status');
    const hadRows = body.children.length > 0;
    const statusText = status ? status.textContent.trim() : '';
    let arrived = 0;
    const countArrival = () => {
      arrived++;
      if (status) {
        const news = arrived + (arrived === 1 ? ' new webhook' : ' new webhooks') + ' since the page opened, at the top';
        status.textContent = hadRows ? statusText + ' · ' + news : news;
      }
    };
    const renderedAt = Date.parse(table.dataset.renderedAt);
    const filter = { status: table.dataset.status, listeningPost: table.dataset.listeningPost, search: table.dataset.search };
    const matches = row =>
      (!filter.status || row.status === filter.status) &&
      (!filter.listeningPost || row.listeningPost === filter.listeningPost) &&
      (!filter.search || row.webhookId === filter.search || row.responseId === filter.search);

    const apply = rows => {
      for (const row of rows) {
        const tr = document.getElementById('row-' + row.webhookId);
        if (tr) {
          if (isNewer(row, tr)) {
            fill(tr, row);
            flash(tr);
          }
        } else if (firstPage && matches(row) && Date.parse(row.lastActivityUtc) > renderedAt) {
          const fresh = template.content.firstElementChild.cloneNode(true);
          fill(fresh, row);
          body.prepend(fresh);
          flash(fresh);
          countArrival();
        }
      }
    };

    // A fresh copy of this page's rows, while the stream is down.
    const refresh = async () => {
      const page = await fetchPage(location.href);
      const rows = page && page.getElementById('log-rows');
      if (rows) {
        body.replaceChildren(...rows.children);
      }
    };

    return { apply, refresh };
  }

  /** Whether a row differs from what the page shows, and is not an older version of it. */
  function isNewer(row, tr) {
    const attempts = Number(tr.dataset.attempts);
    if (row.attempts !== attempts) {
      return row.attempts > attempts;
    }

    const activity = Date.parse(row.lastActivityUtc);
    const shown = Date.parse(tr.dataset.lastActivity);
    if (activity !== shown) {
      return activity > shown;
    }

    if (row.status !== cell(tr, 'status').firstElementChild.dataset.status) {
      return true;
    }

    // The retention expired it: same attempts, time and status, the bodies gone.
    return row.expired === true && tr.dataset.expired !== 'true';
  }

  function fill(tr, row) {
    tr.id = 'row-' + row.webhookId;
    tr.dataset.webhookId = row.webhookId;
    tr.dataset.responseId = row.responseId;
    tr.dataset.attempts = String(row.attempts);
    tr.dataset.lastActivity = row.lastActivityUtc;
    cell(tr, 'listeningPost').textContent = row.listeningPost;
    cell(tr, 'webhookId').firstElementChild.textContent = row.webhookId;
    cell(tr, 'webhookId').querySelector('.badge-test').hidden = !row.test;
    const time = cell(tr, 'lastActivity').firstElementChild;
    time.textContent = row.lastActivity;
    time.setAttribute('datetime', row.lastActivityUtc);
    cell(tr, 'lastResponseCode').textContent = row.lastResponseCode === null ? '–' : String(row.lastResponseCode);
    cell(tr, 'lastResponse').firstElementChild.textContent = row.lastResponse;
    cell(tr, 'attempts').textContent = String(row.attempts);
    setStatus(cell(tr, 'status').firstElementChild, row.status, row.statusText);
    tr.dataset.expired = row.expired ? 'true' : 'false';
    const expiredMark = cell(tr, 'status').querySelector('.expired-mark');
    if (expiredMark) {
      expiredMark.hidden = !row.expired;
    }
    const pencil = tr.querySelector('a.pencil');
    pencil.href = '/portal/log/' + encodeURIComponent(row.webhookId);
    pencil.setAttribute('aria-label', 'Open webhook ' + row.webhookId);
    pencil.title = 'Open webhook ' + row.webhookId;
  }

  function cell(tr, column) {
    return tr.querySelector('[data-col="' + column + '"]');
  }

  const STATUS_CLASSES = { Succeeded: 'status-succeeded', Failed: 'status-failed', InProgress: 'status-in-progress' };
  const STATUS_ICONS = { Succeeded: '✓', Failed: '✕', InProgress: '…' };

  function setStatus(badge, status, text) {
    badge.className = 'status ' + (STATUS_CLASSES[status] || STATUS_CLASSES.InProgress);
    badge.dataset.status = status;
    badge.querySelector('.status-icon').textContent = STATUS_ICONS[status] || STATUS_ICONS.InProgress;
    badge.querySelector('.status-text').textContent = text;
  }

  function flash(tr) {
    tr.classList.remove('changed');
    void tr.offsetWidth;
    tr.classList.add('changed');
  }

  /** One webhook's page: when its row changes, the summary and attempts are fetched again from the server. */
  function detailUpdater(webhookId) {
    const container = document.getElementById('entry-live');
    if (!container) {
      return null;
    }

    const summary = () => container.querySelector('.summary');
    const refresh = async () => {
      const response = await fetch(container.dataset.fragmentUrl, { headers: { Accept: 'text/html' }, cache: 'no-store' });
      if (response.ok) {
        const parsed = new DOMParser().parseFromString(await response.text(), 'text/html');
        container.replaceChildren(...parsed.body.children);
      }
    };

    const apply = rows => {
      const current = summary();
      for (const row of rows) {
        if (row.webhookId === webhookId && current &&
            (String(row.attempts) !== current.dataset.attempts || row.status !== current.dataset.status)) {
          refresh();
          return;
        }
      }
    };

    return { apply, refresh };
  }

  async function fetchPage(address) {
    try {
      const response = await fetch(address, { headers: { Accept: 'text/html' }, cache: 'no-store' });
      return response.ok ? new DOMParser().parseFromString(await response.text(), 'text/html') : null;
    } catch {
      return null;
    }
  }
})();
