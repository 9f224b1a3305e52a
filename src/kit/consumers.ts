// What a policy may ask about consumers (applications holding API keys and OAuth client ids). The
// gateway builds the directory from the config file and the store at start and on reload, and
// keeps it current in the background; lookups are synchronous and in memory.

/** A consumer as the gateway knows it now. */
export interface KnownConsumer {
  readonly consumerId: string
  /** A suspended consumer's credentials are recognised but must be refused. */
  readonly status: 'active' | 'suspended'
}

export interface ConsumerDirectory {
  /**
   * The consumer holding this API key, or undefined for an unknown or revoked key. The key is
   * digested and looked up by digest, so the time taken does not depend on which characters of a
   * wrong key differ from a real one.
   */
  findByApiKey(key: string): KnownConsumer | undefined
  /** The consumer an OAuth client id acts for, or undefined. */
  findByClientId(clientId: string): KnownConsumer | undefined
}
