// Types of the ExpressConsent SDK's npm entry (js/index.js).

/** `init` configuration. */
export interface InitOptions {
  /** Your org's client id, `cid_…`. */
  cid: string;
  /** The ExpressConsent API origin, e.g. `https://consent.example.com`. Default: the page's origin. */
  api?: string;
  /** Where to fetch the SDK's `.wasm` from. Default: `../pkg/expressconsent_sdk_bg.wasm` beside this file. */
  wasmUrl?: string | URL;
}

/** Options of `captureCDR`; all optional. */
export interface CaptureOptions {
  /** Stored with the CDR; at most 16 KiB as JSON. Every top-level key is filterable later. */
  custom?: Record<string, unknown>;
  /** Mint a share URL during the upload: `true` (30 days) or `{ expiresInMs }` (> 0, at most 2 years). */
  autoShare?: boolean | { expiresInMs?: number };
  /** At most 5 unique, non-empty sub-group ids this capture joins. */
  subGroupIds?: string[];
  /** The submit or click event that caused the capture; its target is recorded with `isTrusted`. */
  triggerEvent?: Event;
  /** A `data-expressconsent-highlight-label` value; that element is outlined in the evidence image. */
  highlightTarget?: string;
  /** Budget in milliseconds for capture and upload together. Default 15000. */
  timeoutMs?: number;
}

/** What `captureCDR` resolves with. */
export interface CaptureResult {
  /** The new CDR's id. */
  cdrId: string;
  /** The per-tab session package and its sub-groups. */
  packageData: {
    packageId: string;
    /** Sub-group id → its package id. */
    subGroupIdMap: Record<string, string>;
  };
  /** Absolute share URL to pass with the lead; with `autoShare` only. */
  shareUrl?: string;
  /** The token of `shareUrl`; with `autoShare` only. */
  shareToken?: string;
  /** When `shareUrl` expires, epoch milliseconds; with `autoShare` only. */
  shareExpiresAt?: number;
}

/** The stable `code` of a rejected `init` or `captureCDR`. */
export type ErrorCode = 'INVALID_ARGUMENT' | 'TIMEOUT' | 'NETWORK' | 'REJECTED' | 'NOT_INITIALIZED';

/** What `init` and `captureCDR` reject with. */
export interface ExpressConsentError extends Error {
  name: 'ExpressConsentError';
  code: ErrorCode;
  /** The HTTP status, when the server answered. */
  status?: number;
  /** The server's error code (`FORBIDDEN`, `PAYLOAD_TOO_LARGE`, …), when it answered. */
  serverCode?: string;
}

/** Loads the SDK and sets the org. Rejects with `INVALID_ARGUMENT` (bad config) or `NETWORK`. */
export function init(options: InitOptions): Promise<void>;

/**
 * Captures the page now and uploads it. Call it first thing in your submit handler
 * (`await captureCDR({ triggerEvent: event })`). Rejects with an `ExpressConsentError`;
 * `NOT_INITIALIZED` when `init` was never called.
 */
export function captureCDR(options?: CaptureOptions): Promise<CaptureResult>;
