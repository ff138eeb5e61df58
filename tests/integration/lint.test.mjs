// The OpenAPI contract passes a real validator (Redocly CLI) with the repository's rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));

test('openapi.yaml passes redocly lint with no errors', () => {
  const bin = path.join(here, 'node_modules', '.bin', 'redocly');
  const config = path.join(path.dirname(process.env.TG_OPENAPI), 'redocly.yaml');
  const r = spawnSync(bin, ['lint', '--config', config, process.env.TG_OPENAPI], { encoding: 'utf8' });
  assert.equal(r.status, 0, `redocly lint failed:\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout + r.stderr, /valid/);
});
