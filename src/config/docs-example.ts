// The example file shown in docs/configuration.md. A test loads it, so the docs never show a file
// the loader would refuse.
export const EXAMPLE_CONFIG = `workers: auto

listeners:
  - name: public
    port: 8080
  - name: public-tls
    protocol: https
    port: 8443
    tls:
      cert: certs/gateway.pem        # relative to this file
      key: certs/gateway-key.pem

admin:
  port: 9876                         # host defaults to 127.0.0.1
  token: \${env:GATEHOUSE_ADMIN_TOKEN}

limits:
  maxBodySize: 1048576               # 1 MiB

forwarding:
  trustedProxies: [10.0.0.0/8]

observability:
  accessLog:
    destination: logs/access.log     # relative to this file
  logLevel: info

upstreams:
  users:
    targets:
      - http://10.0.1.10:3000
      - url: http://10.0.1.11:3000
        weight: 2
    timeouts:
      headersMs: 10000
    healthCheck:
      active:
        path: /health
        expectStatus: [200, "204-299"]
  legacy:
    targets: [http://10.0.2.20:8080]
    balancing: least-connections

routes:
  - name: users
    hosts: api.example.com
    paths: [/users, /users/:id/profile]
    methods: [GET, POST]
    upstream: users
  - name: legacy
    path: /legacy
    stripPath: true
    upstream: legacy

keyManager:                          # OAuth 2.0 authorization server under /oauth2
  issuer: https://api.example.com/oauth2
  store:
    path: data/gatehouse.db          # relative to this file; the secret pepper is kept beside it
  signing:
    algorithm: ES256
  tokens:
    accessTokenTtlSeconds: 900
    persist: true                    # exact introspection and revocation of access tokens
  trustedIssuers:
    - issuer: https://login.partner.example
      jwksUri: https://login.partner.example/.well-known/jwks.json
`
