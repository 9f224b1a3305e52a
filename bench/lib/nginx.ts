// nginx in the benchmarks, in two roles: the cheapest possible upstream (`return 200`) and the
// reverse proxy Gatehouse is compared with. Each instance gets a generated config in its own temp
// dir and runs in the foreground with one worker, so it can be pinned and stopped like any child.
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ManagedProcess, RunScope } from './run-scope.ts'
import { waitUntilListening } from './wait.ts'

// Distribution packages put nginx in sbin, which is often not on a normal user's PATH.
const SBIN_DIRS = ['/usr/sbin', '/usr/local/sbin', '/usr/local/nginx/sbin']

/** Path of the nginx binary, or undefined when it is not installed. */
export function findNginx(): string | undefined {
  const onPath = spawnSync('nginx', ['-v'], { stdio: 'ignore' })
  if (onPath.error === undefined) return 'nginx'
  return SBIN_DIRS.map((dir) => join(dir, 'nginx')).find((file) => existsSync(file))
}

// Shared by both roles. Keep-alive limits are raised so that neither wrk's nor the proxies'
// connections get recycled every 1000 requests (nginx's default), which would measure connection
// setup rather than proxying. Temp paths stay inside the prefix so nothing touches system dirs.
function mainBlock(httpBody: string): string {
  return `worker_processes 1;
pid nginx.pid;
error_log error.log warn;
events {
  worker_connections 8192;
}
http {
  access_log off;
  client_body_temp_path client_body_temp;
  proxy_temp_path proxy_temp;
  fastcgi_temp_path fastcgi_temp;
  uwsgi_temp_path uwsgi_temp;
  scgi_temp_path scgi_temp;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
${httpBody}
}
`
}

/** nginx answering `GET <path>` with a fixed JSON body: the upstream of the passthrough scenario. */
export function nginxUpstreamConfig(options: { port: number; path: string; body: string }): string {
  const body = options.body.replaceAll('\\', '\\\\').replaceAll("'", "\\'")
  return mainBlock(`  server {
    listen 127.0.0.1:${options.port};
    location = ${options.path} {
      default_type application/json;
      return 200 '${body}';
    }
    location / {
      return 404;
    }
  }`)
}

/** nginx as a keep-alive reverse proxy for everything under `/`. */
export function nginxProxyConfig(options: { port: number; upstreamPort: number }): string {
  return mainBlock(`  upstream backend {
    server 127.0.0.1:${options.upstreamPort};
    keepalive 64;
    keepalive_requests 1000000;
    keepalive_timeout 120s;
  }
  server {
    listen 127.0.0.1:${options.port};
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }
  }`)
}

/**
 * Writes `config` to a fresh prefix dir and runs nginx on it in the foreground, pinned to `cpu`.
 * Resolves once the listener accepts connections.
 */
export async function startNginx(scope: RunScope, options: { binary: string; name: string; config: string; port: number; cpu?: number }): Promise<ManagedProcess> {
  const prefix = scope.tempDir(`gatehouse-bench-${options.name}`)
  // As root, nginx's workers run as an unprivileged user; they must be able to enter the prefix.
  chmodSync(prefix, 0o755)
  const configFile = join(prefix, 'nginx.conf')
  writeFileSync(configFile, options.config)
  const nginx = scope.spawn(options.name, options.binary, ['-c', configFile, '-p', prefix, '-e', join(prefix, 'error.log'), '-g', 'daemon off;'], { cpu: options.cpu })
  await waitUntilListening(options.port, { process: nginx })
  return nginx
}
