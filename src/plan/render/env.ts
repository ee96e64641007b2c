// PLACEHOLDER: replaced by the renderer for this area.
import type { SizedHost } from "../capacity/hosts";
import type { HostFile } from "../types";
import type { RenderContext } from "./context";

export function renderEnv(_ctx: RenderContext, _host: SizedHost): HostFile[] {
  return [];
}
