/**
 * The Windows relay's PowerShell text, checked on Linux: it parses (tree-sitter-powershell, as the shipped
 * .ps1 files are), keeps the house rules, and says what the design says. None of this runs PowerShell:
 * what .NET does with it on Windows is not proven here (docs/reference/klp.md, Windows).
 */
import { describe, expect, it } from "vitest";
import { checkPowerShell, checkPowerShellRules, formatPowerShellProblems } from "@kanade/testkit";
import { MUX, MUX_MAX_PAYLOAD } from "./klp-mux.js";
import { KLP_PIPE_SDDL } from "./klp-pipe-identity.js";
import { RELAY_DEFAULTS, pipeShortName, relayCommand, relayScript } from "./klp-relay-script.js";

const opts = { pipe: "\\\\.\\pipe\\kanade-agent", ...RELAY_DEFAULTS };
const script = relayScript(opts);

describe("Windows KLP relay script", () => {
  it("parses as PowerShell and keeps the house rules", async () => {
    const parsed = await checkPowerShell(script);
    expect(parsed.problems, formatPowerShellProblems("relay", parsed.problems)).toEqual([]);
    const rules = await checkPowerShellRules(script);
    expect(rules, formatPowerShellProblems("relay", rules)).toEqual([]);
  });

  it("creates a fixed number of instances of the pipe with the explicit DACL, network logons denied first", () => {
    expect(KLP_PIPE_SDDL).toBe("D:P(D;;GA;;;NU)(A;;GA;;;SY)(A;;GA;;;BA)(A;;GRGW;;;IU)");
    expect(script).toContain(`$Sddl = '${KLP_PIPE_SDDL}'`);
    expect(script).toContain("$security.SetSecurityDescriptorSddlForm($Sddl)");
    expect(script).toContain("$PipeName = 'kanade-agent'");
    expect(script).toContain(`$Instances = ${RELAY_DEFAULTS.instances}`);
    expect(script).toMatch(/NamedPipeServerStream -ArgumentList @\(\$PipeName, \[System\.IO\.Pipes\.PipeDirection\]::InOut, \$Instances, .*\$Security\)/);
    // Instances are reused (Disconnect, then wait again), never disposed while the relay runs.
    expect(script).toContain("$Slot.Server.Disconnect()");
    expect(script).not.toMatch(/Server\.(Dispose|Close)\(/);
  });

  it("stops when the pipe already exists under another owner (no FILE_FLAG_FIRST_PIPE_INSTANCE in .NET for >1 instance)", () => {
    expect(script).toContain("GetAccessControl().GetOwner([System.Security.Principal.SecurityIdentifier])");
    expect(script).toMatch(/if \(\$owner -ne \$me\.User\.Value -and \$owner -ne \$me\.Owner\.Value\) \{ throw/);
  });

  it("takes the identity from the client's token after its first bytes, refusing a thread that is not impersonating", () => {
    expect(script).toContain("$Slot.Server.RunAsClient($worker)");
    expect(script).toContain("[System.Security.Principal.WindowsIdentity]::GetCurrent($true)");
    // The OPEN carries only what the token said; the client's bytes go out as DATA after it.
    const open = script.indexOf("Send-Frame $T_OPEN $Slot.Id $sidBytes");
    expect(open).toBeGreaterThan(script.indexOf("$sid = Get-ClientSid $Slot"));
    expect(script.indexOf("Send-Frame $T_DATA $Slot.Id $Slot.Buf $count")).toBeGreaterThan(open);
  });

  it("speaks the agent's mux: the same type numbers and payload limit, nothing else on stdout", () => {
    for (const [name, n] of Object.entries(MUX)) expect(script).toContain(`$T_${name} = ${n}\n`);
    expect(script).toContain(`$MaxPayload = ${MUX_MAX_PAYLOAD}`);
    expect(script).toContain("Start-Relay | Out-Null");
    expect(script).not.toMatch(/Write-(Host|Output)/);
  });

  it("is started as Windows PowerShell by full path, with the script encoded so no quoting can change it", () => {
    const cmd = relayCommand(opts, { SystemRoot: "C:\\Windows" });
    expect(cmd.file).toBe("C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe");
    expect(cmd.args.slice(0, -1)).toEqual(["-NoLogo", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-EncodedCommand"]);
    expect(Buffer.from(cmd.args.at(-1)!, "base64").toString("utf16le")).toBe(script);
    // CreateProcess takes at most 32,767 characters of command line.
    expect([cmd.file, ...cmd.args].join(" ").length).toBeLessThan(32_767);
  });

  it("takes only local pipe names with a plain alphabet, and sane numbers", () => {
    expect(pipeShortName("\\\\.\\PIPE\\Kanade.agent_2")).toBe("Kanade.agent_2");
    for (const bad of ["kanade-agent", "\\\\server\\pipe\\x", "\\\\.\\pipe\\", "\\\\.\\pipe\\a'b", "\\\\.\\pipe\\a\\b", "\\\\.\\pipe\\$(x)"]) expect(() => pipeShortName(bad)).toThrow();
    expect(() => relayScript({ ...opts, instances: 255 })).toThrow(RangeError);
    expect(() => relayScript({ ...opts, firstByteMs: 0 })).toThrow(RangeError);
  });
});
