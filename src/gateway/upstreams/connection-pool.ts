import { UpstreamConnection, type ConnectionTimeouts } from '../proxy/upstream-connection.ts'
import { GatehouseError } from '../../core/errors/gatehouse-error.ts'

export type AcquireCallback = (error: GatehouseError | null, connection: UpstreamConnection | null) => void

interface Waiter {
  callback: AcquireCallback
  timer: NodeJS.Timeout
}

/**
 * Keep-alive connections to one target. Idle connections are reused last-in first-out, so under
 * steady load the same few sockets stay warm; at most `poolSize` are open and at most `queueSize`
 * requests wait for one (beyond that the caller answers 503).
 */
export class ConnectionPool {
  readonly host: string
  readonly port: number
  #idle: UpstreamConnection[] = []
  #open = 0
  #waiters: Waiter[] = []
  #poolSize: number
  #queueSize: number
  #timeouts: ConnectionTimeouts
  #closed = false
  #release = (connection: UpstreamConnection, reusable: boolean): void => this.#onRelease(connection, reusable)

  constructor(host: string, port: number, options: { poolSize: number; queueSize: number; timeouts: ConnectionTimeouts }) {
    this.host = host
    this.port = port
    this.#poolSize = options.poolSize
    this.#queueSize = options.queueSize
    this.#timeouts = options.timeouts
  }

  get openConnections(): number {
    return this.#open
  }

  get idleConnections(): number {
    return this.#idle.length
  }

  /** Calls back synchronously when a connection is at hand, later when one frees up. */
  acquire(callback: AcquireCallback): void {
    if (this.#closed) {
      callback(new GatehouseError('GH_ERR_SHUTTING_DOWN'), null)
      return
    }
    const idle = this.#idle.pop()
    if (idle !== undefined) {
      callback(null, idle)
      return
    }
    if (this.#open < this.#poolSize) {
      this.#open++
      callback(null, new UpstreamConnection(this.host, this.port, this.#timeouts, this.#release))
      return
    }
    if (this.#waiters.length >= this.#queueSize) {
      callback(new GatehouseError('GH_ERR_UPSTREAM_OVERLOADED', `connection queue for ${this.host}:${this.port} is full`), null)
      return
    }
    const waiter: Waiter = {
      callback,
      timer: setTimeout(() => {
        const index = this.#waiters.indexOf(waiter)
        if (index !== -1) this.#waiters.splice(index, 1)
        callback(new GatehouseError('GH_ERR_UPSTREAM_TIMEOUT', `no connection to ${this.host}:${this.port} became free in time`), null)
      }, this.#timeouts.connectMs),
    }
    this.#waiters.push(waiter)
  }

  /** A connection that is not needed after all (e.g. the client left before it was used). */
  giveBack(connection: UpstreamConnection): void {
    if (connection.closed) return
    this.#onRelease(connection, true)
  }

  /** Closes idle connections and refuses new work; busy connections finish their exchange. */
  close(): void {
    this.#closed = true
    for (const connection of this.#idle.splice(0)) connection.destroy()
    for (const waiter of this.#waiters.splice(0)) {
      clearTimeout(waiter.timer)
      waiter.callback(new GatehouseError('GH_ERR_SHUTTING_DOWN'), null)
    }
  }

  #onRelease(connection: UpstreamConnection, reusable: boolean): void {
    if (reusable && !this.#closed) {
      this.#serveWaiter(connection)
      return
    }
    // Every connection reaches this branch exactly once: when it stops being usable.
    const index = this.#idle.indexOf(connection)
    if (index !== -1) this.#idle.splice(index, 1)
    this.#open--
    if (!connection.closed) connection.destroy(false)
    this.#serveWaiter(null)
  }

  #serveWaiter(connection: UpstreamConnection | null): void {
    const waiter = this.#waiters.shift()
    if (waiter === undefined) {
      if (connection !== null) this.#idle.push(connection)
      return
    }
    clearTimeout(waiter.timer)
    if (connection !== null) {
      waiter.callback(null, connection)
    } else if (!this.#closed && this.#open < this.#poolSize) {
      this.#open++
      waiter.callback(null, new UpstreamConnection(this.host, this.port, this.#timeouts, this.#release))
    } else {
      this.#waiters.unshift(waiter)
    }
  }
}
