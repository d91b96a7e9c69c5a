import type { Framework } from './framework.js';
import { add, contains, emptyQuantities, isAllocatable, subtract, toResources, type Quantities } from './resources.js';
import type { JsonObject } from './wire-json.js';

/** A simulated agent as the allocator sees it. */
export interface AgentState {
  readonly id: string;
  readonly hostname: string;
  readonly total: Quantities;
  readonly attributes: JsonObject[];
  /** Static reservation: only these roles get its resources. */
  readonly roles: readonly string[] | undefined;
  unreachable: boolean;
  /** Cut off from the master but still running its tasks (partitionAgent); heals with healAgent. */
  partitioned?: boolean;
  /** Unreachable longer than `unreachableAgentMaxAgeSeconds`: the master's registry no longer knows it. */
  forgotten?: boolean;
  /** Not yet re-registered with a newly elected master: invisible to it. */
  recovering: boolean;
}

/** An offer outstanding with a framework. */
export interface OutstandingOffer {
  readonly id: string;
  readonly frameworkId: string;
  readonly agentId: string;
  readonly role: string;
  readonly reservedRole: string;
  readonly resources: Quantities;
  readonly json: JsonObject;
  timer?: NodeJS.Timeout;
}

interface Filter {
  readonly frameworkId: string;
  readonly agentId: string;
  readonly role: string;
  readonly refused: Quantities;
  readonly until: number;
}

/** What the allocator reads from the master and how it talks back. */
export interface AllocatorHost {
  frameworks(): Framework[];
  agents(): AgentState[];
  /** Resources held by live tasks on an agent. */
  used(agentId: string): Quantities;
  nextOfferId(): string;
  agentUrl(agent: AgentState): JsonObject;
  send(framework: Framework, event: JsonObject): void;
}

/** Mesos' hierarchical allocator reduced to what frameworks observe: cycles, filters, suppress/revive, rescinds. */
export class Allocator {
  readonly offers = new Map<string, OutstandingOffer>();
  #filters: Filter[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly host: AllocatorHost,
    private readonly opts: { intervalMs: number; offerTimeoutMs?: number },
  ) {}

  /** Starts the allocation cycle. */
  start(): void {
    this.#timer ??= setInterval(() => this.allocate(), this.opts.intervalMs);
  }

  /** Stops the cycle and every offer timer. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    for (const offer of this.offers.values()) clearTimeout(offer.timer);
  }

  #offered(agentId: string): Quantities {
    let q = emptyQuantities();
    for (const o of this.offers.values()) if (o.agentId === agentId) q = add(q, o.resources);
    return q;
  }

  #filtered(frameworkId: string, agentId: string, role: string, available: Quantities): boolean {
    const now = Date.now();
    this.#filters = this.#filters.filter((f) => f.until > now);
    return this.#filters.some(
      (f) => f.frameworkId === frameworkId && f.agentId === agentId && f.role === role && contains(f.refused, available),
    );
  }

  /** One allocation cycle: every unfiltered free resource goes to a connected, unsuppressed framework. */
  allocate(): void {
    const batches = new Map<Framework, JsonObject[]>();
    for (const agent of this.host.agents()) {
      if (agent.unreachable || agent.recovering) continue;
      for (const framework of this.host.frameworks()) {
        if (!framework.connected) continue;
        const role = framework.roles.find((r) => !framework.suppressed.has(r) && (!agent.roles || agent.roles.includes(r)));
        if (role === undefined) continue;
        const available = subtract(subtract(agent.total, this.host.used(agent.id)), this.#offered(agent.id));
        if (!isAllocatable(available) || this.#filtered(framework.id, agent.id, role, available)) continue;
        const offer = this.#makeOffer(framework, agent, role, available);
        batches.set(framework, [...(batches.get(framework) ?? []), offer.json]);
      }
    }
    for (const [framework, offers] of batches) this.host.send(framework, { type: 'OFFERS', offers: { offers } });
  }

  #makeOffer(framework: Framework, agent: AgentState, role: string, resources: Quantities): OutstandingOffer {
    const id = this.host.nextOfferId();
    const reservedRole = agent.roles ? role : '*';
    const refinement = framework.capabilities.has('RESERVATION_REFINEMENT');
    const json: JsonObject = {
      id: { value: id },
      framework_id: { value: framework.id },
      agent_id: { value: agent.id },
      hostname: agent.hostname,
      url: this.host.agentUrl(agent),
      resources: toResources(resources, { reservedRole, allocationRole: role, refinement }),
      ...(agent.attributes.length > 0 ? { attributes: agent.attributes } : {}),
      allocation_info: { role },
    };
    const offer: OutstandingOffer = { id, frameworkId: framework.id, agentId: agent.id, role, reservedRole, resources, json };
    this.offers.set(id, offer);
    if (this.opts.offerTimeoutMs !== undefined) {
      offer.timer = setTimeout(() => this.rescind(id), this.opts.offerTimeoutMs);
    }
    return offer;
  }

  /** Removes an offer (accepted, declined or invalidated) and returns it. */
  take(offerId: string): OutstandingOffer | undefined {
    const offer = this.offers.get(offerId);
    if (!offer) return undefined;
    clearTimeout(offer.timer);
    this.offers.delete(offerId);
    return offer;
  }

  /** Refuses `refused` on an agent to a framework's role for `seconds` (capped at a year; negative → default). */
  filter(frameworkId: string, agentId: string, role: string, refused: Quantities, seconds: number): void {
    if (seconds <= 0) return;
    const capped = Math.min(seconds, 31_536_000);
    this.#filters.push({ frameworkId, agentId, role, refused, until: Date.now() + capped * 1000 });
  }

  /** Clears the framework's filters for these roles (all when empty). */
  clearFilters(frameworkId: string, roles: readonly string[]): void {
    this.#filters = this.#filters.filter((f) => f.frameworkId !== frameworkId || (roles.length > 0 && !roles.includes(f.role)));
  }

  /** Withdraws an offer with a RESCIND event. */
  rescind(offerId: string): void {
    const offer = this.take(offerId);
    const framework = offer && this.host.frameworks().find((f) => f.id === offer.frameworkId);
    if (offer && framework) this.host.send(framework, { type: 'RESCIND', rescind: { offer_id: { value: offer.id } } });
  }

  /** Withdraws a framework's offers without telling it (it is disconnected). */
  dropFramework(frameworkId: string): void {
    for (const offer of [...this.offers.values()]) if (offer.frameworkId === frameworkId) this.take(offer.id);
  }

  /** Rescinds every offer on an agent. */
  rescindAgent(agentId: string): void {
    for (const offer of [...this.offers.values()]) if (offer.agentId === agentId) this.rescind(offer.id);
  }

  /** Rescinds a framework's offers for roles it no longer holds. */
  rescindRoles(frameworkId: string, keep: readonly string[]): void {
    for (const o of [...this.offers.values()]) if (o.frameworkId === frameworkId && !keep.includes(o.role)) this.rescind(o.id);
  }
}
