import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dashboardFilePaths } from '../../src/hosts/local/http/local-routes.ts';
import { serverPerSuite } from '../support/server-process.ts';

const API_KEY = 'dashboard-files-test-key-0123456789';

describe('the dashboard files (local host)', () => {
  const suite = serverPerSuite({ DOFS_API_KEY: API_KEY });

  it('serves every file the page loads, uPlot included, from this server and without the API key', async () => {
    const page = await (await fetch(`${suite.server.url}/`)).text();
    const referenced = [...page.matchAll(/(?:src|href)="(\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
    const modules = await Promise.all(
      dashboardFilePaths()
        .filter((path) => path.endsWith('.js'))
        .map(async (path) => (await fetch(`${suite.server.url}${path}`)).text()),
    );
    const imported = modules.flatMap((source) =>
      [...source.matchAll(/^import .* from '([^']+)';$/gm)].map((m) =>
        new URL(m[1] ?? '', 'http://x/web/').pathname.replace(/^\/web/, ''),
      ),
    );
    const needed = new Set([...referenced, ...imported]);
    assert.ok(
      needed.has('/vendor/uPlot.esm.js') && needed.has('/vendor/uPlot.min.css'),
      [...needed].join(' '),
    );
    for (const path of needed) {
      assert.ok(dashboardFilePaths().includes(path ?? ''), `${path} is one of the dashboard's files`);
      const response = await fetch(`${suite.server.url}${path}`);
      assert.equal(response.status, 200, path);
      assert.match(
        response.headers.get('content-type') ?? '',
        path?.endsWith('.css') ? /^text\/css/ : /^text\/javascript/,
      );
      assert.match(response.headers.get('content-security-policy') ?? '', /script-src 'self'/, path);
    }
    assert.doesNotMatch(page, /https?:\/\//, 'nothing loads from another origin');
  });

  it('still needs the key for the dashboard data', async () => {
    assert.equal((await fetch(`${suite.server.url}/dashboard/data`)).status, 401);
    const data = await fetch(`${suite.server.url}/dashboard/data?window=1h`, {
      headers: { 'x-api-key': API_KEY },
    });
    assert.equal(data.status, 200);
    assert.equal((await data.json()).series.step_ms, 30_000);
    const bad = await fetch(`${suite.server.url}/dashboard/data?window=2d`, {
      headers: { 'x-api-key': API_KEY },
    });
    assert.equal(bad.status, 400);
  });
});
