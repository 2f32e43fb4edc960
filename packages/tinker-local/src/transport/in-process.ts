import type { Transport, TransportRequest, TransportResponse } from "@crucible/tinker-client";
import { ApiKeyAuth, isKeylessPath } from "../server/auth.js";
import type { TinkerHandler } from "../server/handler.js";

export interface InProcessTransportOptions {
  /** Same check as the HTTP server's: when set, requests must carry one of these in `x-api-key`. */
  apiKeys?: string[];
  /** As `startLocalServer`'s `sharedKeys`. */
  sharedKeys?: boolean;
  /** Also close the handler when the transport is closed. */
  ownsHandler?: boolean;
}

/**
 * A `Transport` that answers by calling the server's handler directly: identical semantics to HTTP (futures,
 * long-polls, ordering, status codes, JSON/protobuf negotiation), without sockets or serialization to a port.
 */
export function createInProcessTransport(
  handler: TinkerHandler,
  options: InProcessTransportOptions = {},
): Transport {
  const auth = new ApiKeyAuth(options.apiKeys ?? [], { shared: options.sharedKeys ?? false });
  let closed = false;
  return {
    async request(req: TransportRequest): Promise<TransportResponse> {
      if (closed) throw new Error("in-process transport is closed");
      let principal: string | undefined;
      if (!isKeylessPath(req.path)) {
        const who = auth.check(req.headers["x-api-key"]);
        if (!who.ok) {
          const body = new TextEncoder().encode(JSON.stringify({ detail: "invalid or missing X-API-Key" }));
          return { status: 401, headers: { "content-type": "application/json" }, body };
        }
        principal = who.principal;
      }
      // Copy the body: the caller may reuse its buffer while the request is queued.
      return handler.handle(req.body ? { ...req, body: new Uint8Array(req.body) } : req, principal);
    },
    async close() {
      closed = true;
      if (options.ownsHandler) await handler.close();
    },
  };
}
