/**
 * The local API over Tauri IPC: the same server as `switchboard serve`, run inside the app.
 */
import { commands } from "./bindings";
import type { LocalApiStatus } from "./bindings";
import { call } from "./client";

export const localApiApi = {
  /** Whether it runs, where, and its request counts. */
  localApiStatus: (): Promise<LocalApiStatus> => call(commands.localApiStatus()),
  /** Starts it on loopback `port` (restarts it when it runs on another). */
  localApiStart: (port: number): Promise<LocalApiStatus> => call(commands.localApiStart(port)),
  /** Stops it once the requests in flight end (or after a few seconds). */
  localApiStop: (): Promise<LocalApiStatus> => call(commands.localApiStop()),
};

export type LocalApiApi = typeof localApiApi;
