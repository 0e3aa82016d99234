/** Built-in inventory categories (SPEC §2): hardware, OS, network (systeminformation) and software. */
import si from "systeminformation";
import type { InventoryCategory } from "@kanade/protocol/wire";
import { collectSoftware } from "./software.js";

export type Collector = (category: InventoryCategory) => Promise<Record<string, unknown>>;

async function hardware(): Promise<Record<string, unknown>> {
  const [cpu, mem, system, fs, disks] = await Promise.all([si.cpu(), si.mem(), si.system(), si.fsSize(), si.diskLayout()]);
  return {
    cpu: { manufacturer: cpu.manufacturer, model: cpu.brand, cores: cpu.cores, physical_cores: cpu.physicalCores, speed_ghz: cpu.speed },
    ram_bytes: mem.total,
    system: { manufacturer: system.manufacturer, model: system.model, serial: system.serial, uuid: system.uuid, virtual: system.virtual },
    disks: disks.map((d) => ({ name: d.name, type: d.type, vendor: d.vendor, size_bytes: d.size, serial: d.serialNum })),
    volumes: fs.map((v) => ({ mount: v.mount, fs: v.fs, type: v.type, size_bytes: v.size, free_bytes: v.available })),
  };
}

async function os(): Promise<Record<string, unknown>> {
  const info = await si.osInfo();
  const time = si.time();
  return {
    name: info.distro,
    version: info.release,
    build: info.build || null,
    kernel: info.kernel,
    arch: info.arch,
    hostname: info.hostname,
    boot_time: new Date(Date.now() - time.uptime * 1000).toISOString(),
  };
}

async function network(): Promise<Record<string, unknown>> {
  const ifaces = await si.networkInterfaces();
  return {
    interfaces: (Array.isArray(ifaces) ? ifaces : [ifaces]).map((i) => ({
      name: i.iface,
      ip4: i.ip4 || null,
      ip6: i.ip6 || null,
      mac: i.mac || null,
      internal: i.internal,
      state: i.operstate,
      type: i.type,
      speed_mbps: i.speed,
    })),
  };
}

const COLLECTORS: Record<InventoryCategory, () => Promise<Record<string, unknown>>> = {
  hw: hardware,
  os,
  net: network,
  sw: collectSoftware,
};

/** Starts systeminformation's persistent PowerShell; call the returned function to end it. */
export function onePowerShell(): () => void {
  si.powerShellStart();
  return () => si.powerShellRelease();
}

/** The real collector of this host. */
export const collectInventory: Collector = (category) => COLLECTORS[category]();
