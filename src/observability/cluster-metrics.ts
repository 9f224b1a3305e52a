import cluster, { type Worker } from 'node:cluster'
import { AggregatorRegistry, type Registry } from 'prom-client'

// Our own request/response messages rather than prom-client's built-in cluster listeners: those
// keep module-global state, crash the primary on a reply for an unknown request, fail the whole
// scrape when a worker dies mid-request, and cannot add the primary's own registry to the sum.
// The aggregation itself is prom-client's (each metric's `aggregator`: sum, min, max, ...).
const REQUEST = 'gatehouse:metrics:request'
const RESPONSE = 'gatehouse:metrics:response'

interface MetricsRequest {
  type: typeof REQUEST
  id: number
}

interface MetricsResponse {
  type: typeof RESPONSE
  id: number
  metrics?: unknown[]
  error?: string
}

function isRequest(message: unknown): message is MetricsRequest {
  return typeof message === 'object' && message !== null && (message as MetricsRequest).type === REQUEST && typeof (message as MetricsRequest).id === 'number'
}

function isResponse(message: unknown): message is MetricsResponse {
  return typeof message === 'object' && message !== null && (message as MetricsResponse).type === RESPONSE && typeof (message as MetricsResponse).id === 'number'
}

/**
 * In a cluster worker: answers the primary's metric requests with this registry's samples.
 * Returns a function that stops answering. Does nothing outside a cluster worker.
 */
export function serveWorkerMetrics(registry: Registry): () => void {
  if (!cluster.isWorker || process.send === undefined) return () => {}
  const reply = (response: MetricsResponse): void => {
    // The primary may be gone (shutdown); a lost reply is not worth an exception.
    process.send?.(response, undefined, undefined, () => {})
  }
  const onMessage = (message: unknown): void => {
    if (!isRequest(message)) return
    registry.getMetricsAsJSON().then(
      (metrics) => reply({ type: RESPONSE, id: message.id, metrics }),
      (error: unknown) => reply({ type: RESPONSE, id: message.id, error: error instanceof Error ? error.message : String(error) }),
    )
  }
  process.on('message', onMessage)
  return () => process.off('message', onMessage)
}

export interface ClusterMetricsOptions {
  /** The primary's own registry, summed in with the workers' (e.g. its process metrics). */
  primaryRegistry?: Registry
  /** How long to wait for every worker's answer. */
  timeoutMs?: number
}

export interface ClusterMetrics {
  /** All workers' metrics, combined metric by metric, as Prometheus text. */
  collect(): Promise<{ contentType: string; body: string }>
  /** Stops listening to workers; pending collections fail. */
  close(): void
}

interface PendingCollection {
  waiting: Set<number>
  answers: unknown[][]
  resolve: (answers: unknown[][]) => void
  reject: (error: Error) => void
  timer: NodeJS.Timeout
}

const DEFAULT_TIMEOUT_MS = 3000

/** In the cluster primary: collects and aggregates metrics from every connected worker. */
export function createClusterMetrics(options: ClusterMetricsOptions = {}): ClusterMetrics {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const pending = new Map<number, PendingCollection>()
  let nextId = 1

  const settleIfDone = (id: number, collection: PendingCollection): void => {
    if (collection.waiting.size !== 0) return
    pending.delete(id)
    clearTimeout(collection.timer)
    collection.resolve(collection.answers)
  }

  const onMessage = (worker: Worker, message: unknown): void => {
    if (!isResponse(message)) return
    const collection = pending.get(message.id)
    if (collection === undefined || !collection.waiting.delete(worker.id)) return // late or foreign reply
    if (message.error !== undefined || !Array.isArray(message.metrics)) {
      pending.delete(message.id)
      clearTimeout(collection.timer)
      collection.reject(new Error(`worker ${worker.process.pid} could not collect its metrics: ${message.error ?? 'malformed reply'}`))
      return
    }
    collection.answers.push(message.metrics)
    settleIfDone(message.id, collection)
  }

  // A worker that exits mid-collection has no metrics any more; the others are still a true sum.
  const onGone = (worker: Worker): void => {
    for (const [id, collection] of pending) {
      if (collection.waiting.delete(worker.id)) settleIfDone(id, collection)
    }
  }

  cluster.on('message', onMessage)
  cluster.on('disconnect', onGone)
  cluster.on('exit', onGone)

  const askWorkers = (): Promise<unknown[][]> => {
    const workers = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined && worker.isConnected())
    if (workers.length === 0) return Promise.resolve([])
    const id = nextId++
    return new Promise((resolve, reject) => {
      const collection: PendingCollection = {
        waiting: new Set(workers.map((worker) => worker.id)),
        answers: [],
        resolve,
        reject,
        timer: setTimeout(() => {
          pending.delete(id)
          // Answering with a partial sum would look like a counter reset to Prometheus; failing
          // the scrape leaves a gap instead, which rate() handles correctly.
          reject(new Error(`metrics: ${collection.waiting.size} worker(s) did not answer within ${timeoutMs} ms`))
        }, timeoutMs),
      }
      pending.set(id, collection)
      const request: MetricsRequest = { type: REQUEST, id }
      for (const worker of workers) {
        worker.send(request, undefined, (error) => {
          if (error !== null) onGone(worker)
        })
      }
    })
  }

  return {
    async collect() {
      const [own, answers] = await Promise.all([options.primaryRegistry?.getMetricsAsJSON(), askWorkers()])
      const all = own === undefined ? answers : [own, ...answers]
      const registry = AggregatorRegistry.aggregate(all)
      return { contentType: registry.contentType, body: await registry.metrics() }
    },
    close() {
      cluster.off('message', onMessage)
      cluster.off('disconnect', onGone)
      cluster.off('exit', onGone)
      for (const collection of pending.values()) {
        clearTimeout(collection.timer)
        collection.reject(new Error('metrics: collection stopped'))
      }
      pending.clear()
    },
  }
}
