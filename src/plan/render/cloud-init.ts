// PLACEHOLDER: replaced by the cloud-init renderer.
import type { SizedHost } from "../capacity/hosts";
import type { HostFile } from "../types";
import type { RenderContext } from "./context";

export function renderCloudInit(_ctx: RenderContext, _host: SizedHost, _files: readonly HostFile[]): string {
  return "#cloud-config\n";
}
