import type { ThreadItem } from "../chatkit/types";
import { emptyChange, type ItemMeta, newMeta, type StateChange } from "./types";

/** Items in thread order with their UI metadata, recording what changed since last taken. */
export class ItemList {
  private order: string[] = [];
  private readonly byId = new Map<string, ThreadItem>();
  private readonly metaById = new Map<string, ItemMeta>();
  change = emptyChange();

  get ids(): readonly string[] {
    return this.order;
  }

  get items(): ThreadItem[] {
    return this.order.map((id) => this.byId.get(id) as ThreadItem);
  }

  item(id: string): ThreadItem | undefined {
    return this.byId.get(id);
  }

  /** Metadata of a stored item (undefined when absent). */
  storedMeta(id: string): ItemMeta | undefined {
    return this.metaById.get(id);
  }

  clear(): void {
    this.order = [];
    this.byId.clear();
    this.metaById.clear();
    this.change.order = true;
  }

  /** Insert after `anchor` (null: at the start; undefined: at the end). */
  insert(item: ThreadItem, meta: ItemMeta = newMeta(), anchor?: string | null): void {
    this.byId.set(item.id, item);
    this.metaById.set(item.id, meta);
    if (anchor === undefined) this.order.push(item.id);
    else this.order.splice(anchor === null ? 0 : this.order.indexOf(anchor) + 1, 0, item.id);
    this.change.order = true;
    this.touch(item.id);
  }

  /** Swap in a newer version of an item, keeping its place. */
  replace(item: ThreadItem): void {
    this.byId.set(item.id, item);
    this.touch(item.id);
  }

  remove(id: string): boolean {
    if (!this.byId.delete(id)) return false;
    this.metaById.delete(id);
    this.order = this.order.filter((other) => other !== id);
    this.change.order = true;
    return true;
  }

  touch(id: string): void {
    (this.change.items as Set<string>).add(id);
  }

  takeChange(): StateChange | null {
    const change = this.change;
    if (!change.items.size && !change.order && !change.thread && !change.progress) return null;
    this.change = emptyChange();
    return change;
  }
}
