import { describe, expect, it } from "vitest";
import { posixAppWindow } from "./posix.js";
import { windowsAppWindow, windowsBrowserCandidates } from "./windows.js";

const URL = "http://127.0.0.1:5000/launch?token=abc";

describe("app window command lines", () => {
  it("Linux: chromium --app with its own profile", () => {
    expect(posixAppWindow(URL, { profileDir: "/home/u/.cache/kanade-client/profile" })).toEqual({
      file: "chromium",
      args: [`--app=${URL}`, "--user-data-dir=/home/u/.cache/kanade-client/profile", "--no-first-run", "--no-default-browser-check"],
    });
    expect(posixAppWindow(URL, { browser: "/usr/bin/google-chrome", profileDir: "/p" }).file).toBe("/usr/bin/google-chrome");
  });

  it("Windows: Edge first, then Chrome, from the environment's Program Files", () => {
    const env = { ProgramFiles: "D:\\PF", "ProgramFiles(x86)": "D:\\PF86", LOCALAPPDATA: "C:\\Users\\u\\AppData\\Local" };
    expect(windowsBrowserCandidates(env)).toEqual([
      "D:\\PF86\\Microsoft\\Edge\\Application\\msedge.exe",
      "D:\\PF\\Microsoft\\Edge\\Application\\msedge.exe",
      "D:\\PF\\Google\\Chrome\\Application\\chrome.exe",
      "D:\\PF86\\Google\\Chrome\\Application\\chrome.exe",
      "C:\\Users\\u\\AppData\\Local\\Google\\Chrome\\Application\\chrome.exe",
    ]);
    expect(windowsBrowserCandidates({})[0]).toBe("C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe");
    expect(windowsAppWindow(URL, { browser: "C:\\msedge.exe", profileDir: "C:\\p" })).toEqual({
      file: "C:\\msedge.exe",
      args: [`--app=${URL}`, "--user-data-dir=C:\\p", "--no-first-run", "--no-default-browser-check"],
    });
  });
});
