// Assets from the kernel: the cell widget asks over its comm, and the kernel answers with the
// module's code as a binary buffer (src/chatkit_widget/_assets.py), imported from a blob URL
// as anywidget imports the bundle itself.
import type { AnyModel } from "@anywidget/types";
import type { AssetName, AssetSource } from "../assets/registry";

interface AssetReply {
  kind: "asset";
  id: string;
  error?: string;
}

function isReply(msg: unknown, id: string): msg is AssetReply {
  const reply = msg as Partial<AssetReply> | null;
  return reply?.kind === "asset" && reply.id === id;
}

/** A kernel that never answers (busy for long, or gone): give up, so the next need asks again. */
const ANSWER_TIMEOUT_MS = 30_000;

export function kernelAssetSource(model: AnyModel): AssetSource {
  return (name: AssetName) =>
    new Promise((resolve, reject) => {
      const id = `asset-${name}-${Math.random().toString(36).slice(2)}`;
      const timer = setTimeout(() => {
        model.off("msg:custom", onReply);
        reject(new Error(`the kernel did not send the ${name} asset`));
      }, ANSWER_TIMEOUT_MS);
      const onReply = (msg: unknown, buffers: readonly DataView[] = []) => {
        if (!isReply(msg, id)) return;
        clearTimeout(timer);
        model.off("msg:custom", onReply);
        const code = buffers[0];
        if (msg.error || !code) {
          reject(new Error(msg.error ?? "the kernel sent no code"));
          return;
        }
        const text = new TextDecoder().decode(code);
        const blob = new Blob([text], { type: "text/javascript" });
        const url = URL.createObjectURL(blob);
        import(/* webpackIgnore: true */ /* @vite-ignore */ url)
          .then((module: { default: unknown }) => resolve(module.default), reject)
          .finally(() => URL.revokeObjectURL(url));
      };
      model.on("msg:custom", onReply);
      model.send({ kind: "asset", id, name });
    });
}
