#!/usr/bin/env node
import { createRequire as __deptoolCreateRequire } from 'node:module';
const require = __deptoolCreateRequire(import.meta.url);
var __create = Object.create;
var __defProp = Object.defineProperty;
var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __getProtoOf = Object.getPrototypeOf;
var __hasOwnProp = Object.prototype.hasOwnProperty;
var __require = /* @__PURE__ */ ((x3) => typeof require !== "undefined" ? require : typeof Proxy !== "undefined" ? new Proxy(x3, {
  get: (a, b3) => (typeof require !== "undefined" ? require : a)[b3]
}) : x3)(function(x3) {
  if (typeof require !== "undefined") return require.apply(this, arguments);
  throw Error('Dynamic require of "' + x3 + '" is not supported');
});
var __commonJS = (cb, mod) => function __require2() {
  try {
    return mod || (0, cb[__getOwnPropNames(cb)[0]])((mod = { exports: {} }).exports, mod), mod.exports;
  } catch (e) {
    throw mod = 0, e;
  }
};
var __export = (target, all) => {
  for (var name in all)
    __defProp(target, name, { get: all[name], enumerable: true });
};
var __copyProps = (to2, from, except, desc) => {
  if (from && typeof from === "object" || typeof from === "function") {
    for (let key of __getOwnPropNames(from))
      if (!__hasOwnProp.call(to2, key) && key !== except)
        __defProp(to2, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
  }
  return to2;
};
var __toESM = (mod, isNodeMode, target) => (target = mod != null ? __create(__getProtoOf(mod)) : {}, __copyProps(
  // If the importer is in node compatibility mode or this is not an ESM
  // file that has been converted to a CommonJS file using a Babel-
  // compatible transform (i.e. "__esModule" has not been set), then set
  // "default" to the CommonJS "module.exports" for node compatibility.
  isNodeMode || !mod || !mod.__esModule ? __defProp(target, "default", { value: mod, enumerable: true }) : target,
  mod
));

// node_modules/ms/index.js
var require_ms = __commonJS({
  "node_modules/ms/index.js"(exports, module) {
    var s = 1e3;
    var m2 = s * 60;
    var h3 = m2 * 60;
    var d2 = h3 * 24;
    var w2 = d2 * 7;
    var y2 = d2 * 365.25;
    module.exports = function(val, options) {
      options = options || {};
      var type = typeof val;
      if (type === "string" && val.length > 0) {
        return parse2(val);
      } else if (type === "number" && isFinite(val)) {
        return options.long ? fmtLong(val) : fmtShort(val);
      }
      throw new Error(
        "val is not a non-empty string or a valid number. val=" + JSON.stringify(val)
      );
    };
    function parse2(str) {
      str = String(str);
      if (str.length > 100) {
        return;
      }
      var match = /^(-?(?:\d+)?\.?\d+) *(milliseconds?|msecs?|ms|seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|w|years?|yrs?|y)?$/i.exec(
        str
      );
      if (!match) {
        return;
      }
      var n = parseFloat(match[1]);
      var type = (match[2] || "ms").toLowerCase();
      switch (type) {
        case "years":
        case "year":
        case "yrs":
        case "yr":
        case "y":
          return n * y2;
        case "weeks":
        case "week":
        case "w":
          return n * w2;
        case "days":
        case "day":
        case "d":
          return n * d2;
        case "hours":
        case "hour":
        case "hrs":
        case "hr":
        case "h":
          return n * h3;
        case "minutes":
        case "minute":
        case "mins":
        case "min":
        case "m":
          return n * m2;
        case "seconds":
        case "second":
        case "secs":
        case "sec":
        case "s":
          return n * s;
        case "milliseconds":
        case "millisecond":
        case "msecs":
        case "msec":
        case "ms":
          return n;
        default:
          return void 0;
      }
    }
    function fmtShort(ms2) {
      var msAbs = Math.abs(ms2);
      if (msAbs >= d2) {
        return Math.round(ms2 / d2) + "d";
      }
      if (msAbs >= h3) {
        return Math.round(ms2 / h3) + "h";
      }
      if (msAbs >= m2) {
        return Math.round(ms2 / m2) + "m";
      }
      if (msAbs >= s) {
        return Math.round(ms2 / s) + "s";
      }
      return ms2 + "ms";
    }
    function fmtLong(ms2) {
      var msAbs = Math.abs(ms2);
      if (msAbs >= d2) {
        return plural2(ms2, msAbs, d2, "day");
      }
      if (msAbs >= h3) {
        return plural2(ms2, msAbs, h3, "hour");
      }
      if (msAbs >= m2) {
        return plural2(ms2, msAbs, m2, "minute");
      }
      if (msAbs >= s) {
        return plural2(ms2, msAbs, s, "second");
      }
      return ms2 + " ms";
    }
    function plural2(ms2, msAbs, n, name) {
      var isPlural = msAbs >= n * 1.5;
      return Math.round(ms2 / n) + " " + name + (isPlural ? "s" : "");
    }
  }
});

// node_modules/debug/src/common.js
var require_common = __commonJS({
  "node_modules/debug/src/common.js"(exports, module) {
    function setup(env) {
      createDebug.debug = createDebug;
      createDebug.default = createDebug;
      createDebug.coerce = coerce;
      createDebug.disable = disable;
      createDebug.enable = enable;
      createDebug.enabled = enabled;
      createDebug.humanize = require_ms();
      createDebug.destroy = destroy;
      Object.keys(env).forEach((key) => {
        createDebug[key] = env[key];
      });
      createDebug.names = [];
      createDebug.skips = [];
      createDebug.formatters = {};
      function selectColor(namespace) {
        let hash = 0;
        for (let i = 0; i < namespace.length; i++) {
          hash = (hash << 5) - hash + namespace.charCodeAt(i);
          hash |= 0;
        }
        return createDebug.colors[Math.abs(hash) % createDebug.colors.length];
      }
      createDebug.selectColor = selectColor;
      function createDebug(namespace) {
        let prevTime;
        let enableOverride = null;
        let namespacesCache;
        let enabledCache;
        function debug(...args) {
          if (!debug.enabled) {
            return;
          }
          const self = debug;
          const curr = Number(/* @__PURE__ */ new Date());
          const ms2 = curr - (prevTime || curr);
          self.diff = ms2;
          self.prev = prevTime;
          self.curr = curr;
          prevTime = curr;
          args[0] = createDebug.coerce(args[0]);
          if (typeof args[0] !== "string") {
            args.unshift("%O");
          }
          let index = 0;
          args[0] = args[0].replace(/%([a-zA-Z%])/g, (match, format2) => {
            if (match === "%%") {
              return "%";
            }
            index++;
            const formatter = createDebug.formatters[format2];
            if (typeof formatter === "function") {
              const val = args[index];
              match = formatter.call(self, val);
              args.splice(index, 1);
              index--;
            }
            return match;
          });
          createDebug.formatArgs.call(self, args);
          const logFn = self.log || createDebug.log;
          logFn.apply(self, args);
        }
        debug.namespace = namespace;
        debug.useColors = createDebug.useColors();
        debug.color = createDebug.selectColor(namespace);
        debug.extend = extend;
        debug.destroy = createDebug.destroy;
        Object.defineProperty(debug, "enabled", {
          enumerable: true,
          configurable: false,
          get: () => {
            if (enableOverride !== null) {
              return enableOverride;
            }
            if (namespacesCache !== createDebug.namespaces) {
              namespacesCache = createDebug.namespaces;
              enabledCache = createDebug.enabled(namespace);
            }
            return enabledCache;
          },
          set: (v2) => {
            enableOverride = v2;
          }
        });
        if (typeof createDebug.init === "function") {
          createDebug.init(debug);
        }
        return debug;
      }
      function extend(namespace, delimiter) {
        const newDebug = createDebug(this.namespace + (typeof delimiter === "undefined" ? ":" : delimiter) + namespace);
        newDebug.log = this.log;
        return newDebug;
      }
      function enable(namespaces) {
        createDebug.save(namespaces);
        createDebug.namespaces = namespaces;
        createDebug.names = [];
        createDebug.skips = [];
        const split = (typeof namespaces === "string" ? namespaces : "").trim().replace(/\s+/g, ",").split(",").filter(Boolean);
        for (const ns2 of split) {
          if (ns2[0] === "-") {
            createDebug.skips.push(ns2.slice(1));
          } else {
            createDebug.names.push(ns2);
          }
        }
      }
      function matchesTemplate(search, template) {
        let searchIndex = 0;
        let templateIndex = 0;
        let starIndex = -1;
        let matchIndex = 0;
        while (searchIndex < search.length) {
          if (templateIndex < template.length && (template[templateIndex] === search[searchIndex] || template[templateIndex] === "*")) {
            if (template[templateIndex] === "*") {
              starIndex = templateIndex;
              matchIndex = searchIndex;
              templateIndex++;
            } else {
              searchIndex++;
              templateIndex++;
            }
          } else if (starIndex !== -1) {
            templateIndex = starIndex + 1;
            matchIndex++;
            searchIndex = matchIndex;
          } else {
            return false;
          }
        }
        while (templateIndex < template.length && template[templateIndex] === "*") {
          templateIndex++;
        }
        return templateIndex === template.length;
      }
      function disable() {
        const namespaces = [
          ...createDebug.names,
          ...createDebug.skips.map((namespace) => "-" + namespace)
        ].join(",");
        createDebug.enable("");
        return namespaces;
      }
      function enabled(name) {
        for (const skip of createDebug.skips) {
          if (matchesTemplate(name, skip)) {
            return false;
          }
        }
        for (const ns2 of createDebug.names) {
          if (matchesTemplate(name, ns2)) {
            return true;
          }
        }
        return false;
      }
      function coerce(val) {
        if (val instanceof Error) {
          return val.stack || val.message;
        }
        return val;
      }
      function destroy() {
        console.warn("Instance method `debug.destroy()` is deprecated and no longer does anything. It will be removed in the next major version of `debug`.");
      }
      createDebug.enable(createDebug.load());
      return createDebug;
    }
    module.exports = setup;
  }
});

// node_modules/debug/src/browser.js
var require_browser = __commonJS({
  "node_modules/debug/src/browser.js"(exports, module) {
    exports.formatArgs = formatArgs;
    exports.save = save;
    exports.load = load;
    exports.useColors = useColors;
    exports.storage = localstorage();
    exports.destroy = /* @__PURE__ */ (() => {
      let warned = false;
      return () => {
        if (!warned) {
          warned = true;
          console.warn("Instance method `debug.destroy()` is deprecated and no longer does anything. It will be removed in the next major version of `debug`.");
        }
      };
    })();
    exports.colors = [
      "#0000CC",
      "#0000FF",
      "#0033CC",
      "#0033FF",
      "#0066CC",
      "#0066FF",
      "#0099CC",
      "#0099FF",
      "#00CC00",
      "#00CC33",
      "#00CC66",
      "#00CC99",
      "#00CCCC",
      "#00CCFF",
      "#3300CC",
      "#3300FF",
      "#3333CC",
      "#3333FF",
      "#3366CC",
      "#3366FF",
      "#3399CC",
      "#3399FF",
      "#33CC00",
      "#33CC33",
      "#33CC66",
      "#33CC99",
      "#33CCCC",
      "#33CCFF",
      "#6600CC",
      "#6600FF",
      "#6633CC",
      "#6633FF",
      "#66CC00",
      "#66CC33",
      "#9900CC",
      "#9900FF",
      "#9933CC",
      "#9933FF",
      "#99CC00",
      "#99CC33",
      "#CC0000",
      "#CC0033",
      "#CC0066",
      "#CC0099",
      "#CC00CC",
      "#CC00FF",
      "#CC3300",
      "#CC3333",
      "#CC3366",
      "#CC3399",
      "#CC33CC",
      "#CC33FF",
      "#CC6600",
      "#CC6633",
      "#CC9900",
      "#CC9933",
      "#CCCC00",
      "#CCCC33",
      "#FF0000",
      "#FF0033",
      "#FF0066",
      "#FF0099",
      "#FF00CC",
      "#FF00FF",
      "#FF3300",
      "#FF3333",
      "#FF3366",
      "#FF3399",
      "#FF33CC",
      "#FF33FF",
      "#FF6600",
      "#FF6633",
      "#FF9900",
      "#FF9933",
      "#FFCC00",
      "#FFCC33"
    ];
    function useColors() {
      if (typeof window !== "undefined" && window.process && (window.process.type === "renderer" || window.process.__nwjs)) {
        return true;
      }
      if (typeof navigator !== "undefined" && navigator.userAgent && navigator.userAgent.toLowerCase().match(/(edge|trident)\/(\d+)/)) {
        return false;
      }
      let m2;
      return typeof document !== "undefined" && document.documentElement && document.documentElement.style && document.documentElement.style.WebkitAppearance || // Is firebug? http://stackoverflow.com/a/398120/376773
      typeof window !== "undefined" && window.console && (window.console.firebug || window.console.exception && window.console.table) || // Is firefox >= v31?
      // https://developer.mozilla.org/en-US/docs/Tools/Web_Console#Styling_messages
      typeof navigator !== "undefined" && navigator.userAgent && (m2 = navigator.userAgent.toLowerCase().match(/firefox\/(\d+)/)) && parseInt(m2[1], 10) >= 31 || // Double check webkit in userAgent just in case we are in a worker
      typeof navigator !== "undefined" && navigator.userAgent && navigator.userAgent.toLowerCase().match(/applewebkit\/(\d+)/);
    }
    function formatArgs(args) {
      args[0] = (this.useColors ? "%c" : "") + this.namespace + (this.useColors ? " %c" : " ") + args[0] + (this.useColors ? "%c " : " ") + "+" + module.exports.humanize(this.diff);
      if (!this.useColors) {
        return;
      }
      const c3 = "color: " + this.color;
      args.splice(1, 0, c3, "color: inherit");
      let index = 0;
      let lastC = 0;
      args[0].replace(/%[a-zA-Z%]/g, (match) => {
        if (match === "%%") {
          return;
        }
        index++;
        if (match === "%c") {
          lastC = index;
        }
      });
      args.splice(lastC, 0, c3);
    }
    exports.log = console.debug || console.log || (() => {
    });
    function save(namespaces) {
      try {
        if (namespaces) {
          exports.storage.setItem("debug", namespaces);
        } else {
          exports.storage.removeItem("debug");
        }
      } catch (error) {
      }
    }
    function load() {
      let r2;
      try {
        r2 = exports.storage.getItem("debug") || exports.storage.getItem("DEBUG");
      } catch (error) {
      }
      if (!r2 && typeof process !== "undefined" && "env" in process) {
        r2 = process.env.DEBUG;
      }
      return r2;
    }
    function localstorage() {
      try {
        return localStorage;
      } catch (error) {
      }
    }
    module.exports = require_common()(exports);
    var { formatters } = module.exports;
    formatters.j = function(v2) {
      try {
        return JSON.stringify(v2);
      } catch (error) {
        return "[UnexpectedJSONParseError]: " + error.message;
      }
    };
  }
});

// node_modules/has-flag/index.js
var require_has_flag = __commonJS({
  "node_modules/has-flag/index.js"(exports, module) {
    "use strict";
    module.exports = (flag, argv = process.argv) => {
      const prefix = flag.startsWith("-") ? "" : flag.length === 1 ? "-" : "--";
      const position = argv.indexOf(prefix + flag);
      const terminatorPosition = argv.indexOf("--");
      return position !== -1 && (terminatorPosition === -1 || position < terminatorPosition);
    };
  }
});

// node_modules/supports-color/index.js
var require_supports_color = __commonJS({
  "node_modules/supports-color/index.js"(exports, module) {
    "use strict";
    var os2 = __require("os");
    var tty = __require("tty");
    var hasFlag = require_has_flag();
    var { env } = process;
    var forceColor;
    if (hasFlag("no-color") || hasFlag("no-colors") || hasFlag("color=false") || hasFlag("color=never")) {
      forceColor = 0;
    } else if (hasFlag("color") || hasFlag("colors") || hasFlag("color=true") || hasFlag("color=always")) {
      forceColor = 1;
    }
    if ("FORCE_COLOR" in env) {
      if (env.FORCE_COLOR === "true") {
        forceColor = 1;
      } else if (env.FORCE_COLOR === "false") {
        forceColor = 0;
      } else {
        forceColor = env.FORCE_COLOR.length === 0 ? 1 : Math.min(parseInt(env.FORCE_COLOR, 10), 3);
      }
    }
    function translateLevel(level) {
      if (level === 0) {
        return false;
      }
      return {
        level,
        hasBasic: true,
        has256: level >= 2,
        has16m: level >= 3
      };
    }
    function supportsColor(haveStream, streamIsTTY) {
      if (forceColor === 0) {
        return 0;
      }
      if (hasFlag("color=16m") || hasFlag("color=full") || hasFlag("color=truecolor")) {
        return 3;
      }
      if (hasFlag("color=256")) {
        return 2;
      }
      if (haveStream && !streamIsTTY && forceColor === void 0) {
        return 0;
      }
      const min = forceColor || 0;
      if (env.TERM === "dumb") {
        return min;
      }
      if (process.platform === "win32") {
        const osRelease = os2.release().split(".");
        if (Number(osRelease[0]) >= 10 && Number(osRelease[2]) >= 10586) {
          return Number(osRelease[2]) >= 14931 ? 3 : 2;
        }
        return 1;
      }
      if ("CI" in env) {
        if (["TRAVIS", "CIRCLECI", "APPVEYOR", "GITLAB_CI", "GITHUB_ACTIONS", "BUILDKITE"].some((sign) => sign in env) || env.CI_NAME === "codeship") {
          return 1;
        }
        return min;
      }
      if ("TEAMCITY_VERSION" in env) {
        return /^(9\.(0*[1-9]\d*)\.|\d{2,}\.)/.test(env.TEAMCITY_VERSION) ? 1 : 0;
      }
      if (env.COLORTERM === "truecolor") {
        return 3;
      }
      if ("TERM_PROGRAM" in env) {
        const version = parseInt((env.TERM_PROGRAM_VERSION || "").split(".")[0], 10);
        switch (env.TERM_PROGRAM) {
          case "iTerm.app":
            return version >= 3 ? 3 : 2;
          case "Apple_Terminal":
            return 2;
        }
      }
      if (/-256(color)?$/i.test(env.TERM)) {
        return 2;
      }
      if (/^screen|^xterm|^vt100|^vt220|^rxvt|color|ansi|cygwin|linux/i.test(env.TERM)) {
        return 1;
      }
      if ("COLORTERM" in env) {
        return 1;
      }
      return min;
    }
    function getSupportLevel(stream) {
      const level = supportsColor(stream, stream && stream.isTTY);
      return translateLevel(level);
    }
    module.exports = {
      supportsColor: getSupportLevel,
      stdout: translateLevel(supportsColor(true, tty.isatty(1))),
      stderr: translateLevel(supportsColor(true, tty.isatty(2)))
    };
  }
});

// node_modules/debug/src/node.js
var require_node = __commonJS({
  "node_modules/debug/src/node.js"(exports, module) {
    var tty = __require("tty");
    var util = __require("util");
    exports.init = init;
    exports.log = log;
    exports.formatArgs = formatArgs;
    exports.save = save;
    exports.load = load;
    exports.useColors = useColors;
    exports.destroy = util.deprecate(
      () => {
      },
      "Instance method `debug.destroy()` is deprecated and no longer does anything. It will be removed in the next major version of `debug`."
    );
    exports.colors = [6, 2, 3, 4, 5, 1];
    try {
      const supportsColor = require_supports_color();
      if (supportsColor && (supportsColor.stderr || supportsColor).level >= 2) {
        exports.colors = [
          20,
          21,
          26,
          27,
          32,
          33,
          38,
          39,
          40,
          41,
          42,
          43,
          44,
          45,
          56,
          57,
          62,
          63,
          68,
          69,
          74,
          75,
          76,
          77,
          78,
          79,
          80,
          81,
          92,
          93,
          98,
          99,
          112,
          113,
          128,
          129,
          134,
          135,
          148,
          149,
          160,
          161,
          162,
          163,
          164,
          165,
          166,
          167,
          168,
          169,
          170,
          171,
          172,
          173,
          178,
          179,
          184,
          185,
          196,
          197,
          198,
          199,
          200,
          201,
          202,
          203,
          204,
          205,
          206,
          207,
          208,
          209,
          214,
          215,
          220,
          221
        ];
      }
    } catch (error) {
    }
    exports.inspectOpts = Object.keys(process.env).filter((key) => {
      return /^debug_/i.test(key);
    }).reduce((obj, key) => {
      const prop = key.substring(6).toLowerCase().replace(/_([a-z])/g, (_3, k2) => {
        return k2.toUpperCase();
      });
      let val = process.env[key];
      if (/^(yes|on|true|enabled)$/i.test(val)) {
        val = true;
      } else if (/^(no|off|false|disabled)$/i.test(val)) {
        val = false;
      } else if (val === "null") {
        val = null;
      } else {
        val = Number(val);
      }
      obj[prop] = val;
      return obj;
    }, {});
    function useColors() {
      return "colors" in exports.inspectOpts ? Boolean(exports.inspectOpts.colors) : tty.isatty(process.stderr.fd);
    }
    function formatArgs(args) {
      const { namespace: name, useColors: useColors2 } = this;
      if (useColors2) {
        const c3 = this.color;
        const colorCode = "\x1B[3" + (c3 < 8 ? c3 : "8;5;" + c3);
        const prefix = `  ${colorCode};1m${name} \x1B[0m`;
        args[0] = prefix + args[0].split("\n").join("\n" + prefix);
        args.push(colorCode + "m+" + module.exports.humanize(this.diff) + "\x1B[0m");
      } else {
        args[0] = getDate() + name + " " + args[0];
      }
    }
    function getDate() {
      if (exports.inspectOpts.hideDate) {
        return "";
      }
      return (/* @__PURE__ */ new Date()).toISOString() + " ";
    }
    function log(...args) {
      return process.stderr.write(util.formatWithOptions(exports.inspectOpts, ...args) + "\n");
    }
    function save(namespaces) {
      if (namespaces) {
        process.env.DEBUG = namespaces;
      } else {
        delete process.env.DEBUG;
      }
    }
    function load() {
      return process.env.DEBUG;
    }
    function init(debug) {
      debug.inspectOpts = {};
      const keys = Object.keys(exports.inspectOpts);
      for (let i = 0; i < keys.length; i++) {
        debug.inspectOpts[keys[i]] = exports.inspectOpts[keys[i]];
      }
    }
    module.exports = require_common()(exports);
    var { formatters } = module.exports;
    formatters.o = function(v2) {
      this.inspectOpts.colors = this.useColors;
      return util.inspect(v2, this.inspectOpts).split("\n").map((str) => str.trim()).join(" ");
    };
    formatters.O = function(v2) {
      this.inspectOpts.colors = this.useColors;
      return util.inspect(v2, this.inspectOpts);
    };
  }
});

// node_modules/debug/src/index.js
var require_src = __commonJS({
  "node_modules/debug/src/index.js"(exports, module) {
    if (typeof process === "undefined" || process.type === "renderer" || process.browser === true || process.__nwjs) {
      module.exports = require_browser();
    } else {
      module.exports = require_node();
    }
  }
});

// node_modules/@kwsites/file-exists/dist/src/index.js
var require_src2 = __commonJS({
  "node_modules/@kwsites/file-exists/dist/src/index.js"(exports) {
    "use strict";
    var __importDefault = exports && exports.__importDefault || function(mod) {
      return mod && mod.__esModule ? mod : { "default": mod };
    };
    Object.defineProperty(exports, "__esModule", { value: true });
    var fs_1 = __require("fs");
    var debug_1 = __importDefault(require_src());
    var log = debug_1.default("@kwsites/file-exists");
    function check(path, isFile, isDirectory) {
      log(`checking %s`, path);
      try {
        const stat5 = fs_1.statSync(path);
        if (stat5.isFile() && isFile) {
          log(`[OK] path represents a file`);
          return true;
        }
        if (stat5.isDirectory() && isDirectory) {
          log(`[OK] path represents a directory`);
          return true;
        }
        log(`[FAIL] path represents something other than a file or directory`);
        return false;
      } catch (e) {
        if (e.code === "ENOENT") {
          log(`[FAIL] path is not accessible: %o`, e);
          return false;
        }
        log(`[FATAL] %o`, e);
        throw e;
      }
    }
    function exists(path, type = exports.READABLE) {
      return check(path, (type & exports.FILE) > 0, (type & exports.FOLDER) > 0);
    }
    exports.exists = exists;
    exports.FILE = 1;
    exports.FOLDER = 2;
    exports.READABLE = exports.FILE + exports.FOLDER;
  }
});

// node_modules/@kwsites/file-exists/dist/index.js
var require_dist = __commonJS({
  "node_modules/@kwsites/file-exists/dist/index.js"(exports) {
    "use strict";
    function __export2(m2) {
      for (var p2 in m2) if (!exports.hasOwnProperty(p2)) exports[p2] = m2[p2];
    }
    Object.defineProperty(exports, "__esModule", { value: true });
    __export2(require_src2());
  }
});

// node_modules/@kwsites/promise-deferred/dist/index.js
var require_dist2 = __commonJS({
  "node_modules/@kwsites/promise-deferred/dist/index.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.createDeferred = exports.deferred = void 0;
    function deferred() {
      let done;
      let fail2;
      let status = "pending";
      const promise = new Promise((_done, _fail) => {
        done = _done;
        fail2 = _fail;
      });
      return {
        promise,
        done(result) {
          if (status === "pending") {
            status = "resolved";
            done(result);
          }
        },
        fail(error) {
          if (status === "pending") {
            status = "rejected";
            fail2(error);
          }
        },
        get fulfilled() {
          return status !== "pending";
        },
        get status() {
          return status;
        }
      };
    }
    exports.deferred = deferred;
    exports.createDeferred = deferred;
    exports.default = deferred;
  }
});

// node_modules/picomatch/lib/constants.js
var require_constants = __commonJS({
  "node_modules/picomatch/lib/constants.js"(exports, module) {
    "use strict";
    var WIN_SLASH = "\\\\/";
    var WIN_NO_SLASH = `[^${WIN_SLASH}]`;
    var DEFAULT_MAX_EXTGLOB_RECURSION = 0;
    var DOT_LITERAL = "\\.";
    var PLUS_LITERAL = "\\+";
    var QMARK_LITERAL = "\\?";
    var SLASH_LITERAL = "\\/";
    var ONE_CHAR = "(?=.)";
    var QMARK = "[^/]";
    var END_ANCHOR = `(?:${SLASH_LITERAL}|$)`;
    var START_ANCHOR = `(?:^|${SLASH_LITERAL})`;
    var DOTS_SLASH = `${DOT_LITERAL}{1,2}${END_ANCHOR}`;
    var NO_DOT = `(?!${DOT_LITERAL})`;
    var NO_DOTS = `(?!${START_ANCHOR}${DOTS_SLASH})`;
    var NO_DOT_SLASH = `(?!${DOT_LITERAL}{0,1}${END_ANCHOR})`;
    var NO_DOTS_SLASH = `(?!${DOTS_SLASH})`;
    var QMARK_NO_DOT = `[^.${SLASH_LITERAL}]`;
    var STAR = `${QMARK}*?`;
    var SEP = "/";
    var POSIX_CHARS = {
      DOT_LITERAL,
      PLUS_LITERAL,
      QMARK_LITERAL,
      SLASH_LITERAL,
      ONE_CHAR,
      QMARK,
      END_ANCHOR,
      DOTS_SLASH,
      NO_DOT,
      NO_DOTS,
      NO_DOT_SLASH,
      NO_DOTS_SLASH,
      QMARK_NO_DOT,
      STAR,
      START_ANCHOR,
      SEP
    };
    var WINDOWS_CHARS = {
      ...POSIX_CHARS,
      SLASH_LITERAL: `[${WIN_SLASH}]`,
      QMARK: WIN_NO_SLASH,
      STAR: `${WIN_NO_SLASH}*?`,
      DOTS_SLASH: `${DOT_LITERAL}{1,2}(?:[${WIN_SLASH}]|$)`,
      NO_DOT: `(?!${DOT_LITERAL})`,
      NO_DOTS: `(?!(?:^|[${WIN_SLASH}])${DOT_LITERAL}{1,2}(?:[${WIN_SLASH}]|$))`,
      NO_DOT_SLASH: `(?!${DOT_LITERAL}{0,1}(?:[${WIN_SLASH}]|$))`,
      NO_DOTS_SLASH: `(?!${DOT_LITERAL}{1,2}(?:[${WIN_SLASH}]|$))`,
      QMARK_NO_DOT: `[^.${WIN_SLASH}]`,
      START_ANCHOR: `(?:^|[${WIN_SLASH}])`,
      END_ANCHOR: `(?:[${WIN_SLASH}]|$)`,
      SEP: "\\"
    };
    var POSIX_REGEX_SOURCE = {
      __proto__: null,
      alnum: "a-zA-Z0-9",
      alpha: "a-zA-Z",
      ascii: "\\x00-\\x7F",
      blank: " \\t",
      cntrl: "\\x00-\\x1F\\x7F",
      digit: "0-9",
      graph: "\\x21-\\x7E",
      lower: "a-z",
      print: "\\x20-\\x7E ",
      punct: "\\-!\"#$%&'()\\*+,./:;<=>?@[\\]^_`{|}~",
      space: " \\t\\r\\n\\v\\f",
      upper: "A-Z",
      word: "A-Za-z0-9_",
      xdigit: "A-Fa-f0-9"
    };
    module.exports = {
      DEFAULT_MAX_EXTGLOB_RECURSION,
      MAX_LENGTH: 1024 * 64,
      POSIX_REGEX_SOURCE,
      // regular expressions
      REGEX_BACKSLASH: /\\(?![*+?^${}(|)[\]])/g,
      REGEX_NON_SPECIAL_CHARS: /^[^@![\].,$*+?^{}()|\\/]+/,
      REGEX_SPECIAL_CHARS: /[-*+?.^${}(|)[\]]/,
      REGEX_SPECIAL_CHARS_BACKREF: /(\\?)((\W)(\3*))/g,
      REGEX_SPECIAL_CHARS_GLOBAL: /([-*+?.^${}(|)[\]])/g,
      REGEX_REMOVE_BACKSLASH: /(?:\[.*?[^\\]\]|\\(?=.))/g,
      // Replace globs with equivalent patterns to reduce parsing time.
      REPLACEMENTS: {
        __proto__: null,
        "***": "*",
        "**/**": "**",
        "**/**/**": "**"
      },
      // Digits
      CHAR_0: 48,
      /* 0 */
      CHAR_9: 57,
      /* 9 */
      // Alphabet chars.
      CHAR_UPPERCASE_A: 65,
      /* A */
      CHAR_LOWERCASE_A: 97,
      /* a */
      CHAR_UPPERCASE_Z: 90,
      /* Z */
      CHAR_LOWERCASE_Z: 122,
      /* z */
      CHAR_LEFT_PARENTHESES: 40,
      /* ( */
      CHAR_RIGHT_PARENTHESES: 41,
      /* ) */
      CHAR_ASTERISK: 42,
      /* * */
      // Non-alphabetic chars.
      CHAR_AMPERSAND: 38,
      /* & */
      CHAR_AT: 64,
      /* @ */
      CHAR_BACKWARD_SLASH: 92,
      /* \ */
      CHAR_CARRIAGE_RETURN: 13,
      /* \r */
      CHAR_CIRCUMFLEX_ACCENT: 94,
      /* ^ */
      CHAR_COLON: 58,
      /* : */
      CHAR_COMMA: 44,
      /* , */
      CHAR_DOT: 46,
      /* . */
      CHAR_DOUBLE_QUOTE: 34,
      /* " */
      CHAR_EQUAL: 61,
      /* = */
      CHAR_EXCLAMATION_MARK: 33,
      /* ! */
      CHAR_FORM_FEED: 12,
      /* \f */
      CHAR_FORWARD_SLASH: 47,
      /* / */
      CHAR_GRAVE_ACCENT: 96,
      /* ` */
      CHAR_HASH: 35,
      /* # */
      CHAR_HYPHEN_MINUS: 45,
      /* - */
      CHAR_LEFT_ANGLE_BRACKET: 60,
      /* < */
      CHAR_LEFT_CURLY_BRACE: 123,
      /* { */
      CHAR_LEFT_SQUARE_BRACKET: 91,
      /* [ */
      CHAR_LINE_FEED: 10,
      /* \n */
      CHAR_NO_BREAK_SPACE: 160,
      /* \u00A0 */
      CHAR_PERCENT: 37,
      /* % */
      CHAR_PLUS: 43,
      /* + */
      CHAR_QUESTION_MARK: 63,
      /* ? */
      CHAR_RIGHT_ANGLE_BRACKET: 62,
      /* > */
      CHAR_RIGHT_CURLY_BRACE: 125,
      /* } */
      CHAR_RIGHT_SQUARE_BRACKET: 93,
      /* ] */
      CHAR_SEMICOLON: 59,
      /* ; */
      CHAR_SINGLE_QUOTE: 39,
      /* ' */
      CHAR_SPACE: 32,
      /*   */
      CHAR_TAB: 9,
      /* \t */
      CHAR_UNDERSCORE: 95,
      /* _ */
      CHAR_VERTICAL_LINE: 124,
      /* | */
      CHAR_ZERO_WIDTH_NOBREAK_SPACE: 65279,
      /* \uFEFF */
      /**
       * Create EXTGLOB_CHARS
       */
      extglobChars(chars) {
        return {
          "!": { type: "negate", open: "(?:(?!(?:", close: `))${chars.STAR})` },
          "?": { type: "qmark", open: "(?:", close: ")?" },
          "+": { type: "plus", open: "(?:", close: ")+" },
          "*": { type: "star", open: "(?:", close: ")*" },
          "@": { type: "at", open: "(?:", close: ")" }
        };
      },
      /**
       * Create GLOB_CHARS
       */
      globChars(win32) {
        return win32 === true ? WINDOWS_CHARS : POSIX_CHARS;
      }
    };
  }
});

// node_modules/picomatch/lib/utils.js
var require_utils = __commonJS({
  "node_modules/picomatch/lib/utils.js"(exports) {
    "use strict";
    var {
      REGEX_BACKSLASH,
      REGEX_REMOVE_BACKSLASH,
      REGEX_SPECIAL_CHARS,
      REGEX_SPECIAL_CHARS_GLOBAL
    } = require_constants();
    exports.isObject = (val) => val !== null && typeof val === "object" && !Array.isArray(val);
    exports.hasRegexChars = (str) => REGEX_SPECIAL_CHARS.test(str);
    exports.isRegexChar = (str) => str.length === 1 && exports.hasRegexChars(str);
    exports.escapeRegex = (str) => str.replace(REGEX_SPECIAL_CHARS_GLOBAL, "\\$1");
    exports.toPosixSlashes = (str) => str.replace(REGEX_BACKSLASH, "/");
    exports.isWindows = () => {
      if (typeof navigator !== "undefined" && navigator.platform) {
        const platform = navigator.platform.toLowerCase();
        return platform === "win32" || platform === "windows";
      }
      if (typeof process !== "undefined" && process.platform) {
        return process.platform === "win32";
      }
      return false;
    };
    exports.removeBackslashes = (str) => {
      return str.replace(REGEX_REMOVE_BACKSLASH, (match) => {
        return match === "\\" ? "" : match;
      });
    };
    exports.escapeLast = (input, char, lastIdx) => {
      const idx = input.lastIndexOf(char, lastIdx);
      if (idx === -1) return input;
      if (input[idx - 1] === "\\") return exports.escapeLast(input, char, idx - 1);
      return `${input.slice(0, idx)}\\${input.slice(idx)}`;
    };
    exports.removePrefix = (input, state = {}) => {
      let output = input;
      if (output.startsWith("./")) {
        output = output.slice(2);
        state.prefix = "./";
      }
      return output;
    };
    exports.wrapOutput = (input, state = {}, options = {}) => {
      const prepend = options.contains ? "" : "^";
      const append = options.contains ? "" : "$";
      let output = `${prepend}(?:${input})${append}`;
      if (state.negated === true) {
        output = `(?:^(?!${output}).*$)`;
      }
      return output;
    };
    exports.basename = (path, { windows } = {}) => {
      const segs = path.split(windows ? /[\\/]/ : "/");
      const last = segs[segs.length - 1];
      if (last === "") {
        return segs[segs.length - 2];
      }
      return last;
    };
  }
});

// node_modules/picomatch/lib/scan.js
var require_scan = __commonJS({
  "node_modules/picomatch/lib/scan.js"(exports, module) {
    "use strict";
    var utils = require_utils();
    var {
      CHAR_ASTERISK,
      /* * */
      CHAR_AT,
      /* @ */
      CHAR_BACKWARD_SLASH,
      /* \ */
      CHAR_COMMA,
      /* , */
      CHAR_DOT,
      /* . */
      CHAR_EXCLAMATION_MARK,
      /* ! */
      CHAR_FORWARD_SLASH,
      /* / */
      CHAR_LEFT_CURLY_BRACE,
      /* { */
      CHAR_LEFT_PARENTHESES,
      /* ( */
      CHAR_LEFT_SQUARE_BRACKET,
      /* [ */
      CHAR_PLUS,
      /* + */
      CHAR_QUESTION_MARK,
      /* ? */
      CHAR_RIGHT_CURLY_BRACE,
      /* } */
      CHAR_RIGHT_PARENTHESES,
      /* ) */
      CHAR_RIGHT_SQUARE_BRACKET
      /* ] */
    } = require_constants();
    var isPathSeparator = (code) => {
      return code === CHAR_FORWARD_SLASH || code === CHAR_BACKWARD_SLASH;
    };
    var depth = (token) => {
      if (token.isPrefix !== true) {
        token.depth = token.isGlobstar ? Infinity : 1;
      }
    };
    var scan = (input, options) => {
      const opts = options || {};
      const length = input.length - 1;
      const scanToEnd = opts.parts === true || opts.tokens === true || opts.scanToEnd === true;
      const slashes = [];
      const tokens = [];
      const parts = [];
      let str = input;
      let index = -1;
      let start = 0;
      let lastIndex = 0;
      let isBrace = false;
      let isBracket = false;
      let isGlob = false;
      let isExtglob = false;
      let isGlobstar = false;
      let braceEscaped = false;
      let backslashes = false;
      let negated = false;
      let negatedExtglob = false;
      let finished = false;
      let braces = 0;
      let prev;
      let code;
      let token = { value: "", depth: 0, isGlob: false };
      const eos = () => index >= length;
      const peek = () => str.charCodeAt(index + 1);
      const advance = () => {
        prev = code;
        return str.charCodeAt(++index);
      };
      while (index < length) {
        code = advance();
        let next;
        if (code === CHAR_BACKWARD_SLASH) {
          backslashes = token.backslashes = true;
          code = advance();
          if (code === CHAR_LEFT_CURLY_BRACE) {
            braceEscaped = true;
          }
          continue;
        }
        if (braceEscaped === true || code === CHAR_LEFT_CURLY_BRACE) {
          braces++;
          while (eos() !== true && (code = advance())) {
            if (code === CHAR_BACKWARD_SLASH) {
              backslashes = token.backslashes = true;
              advance();
              continue;
            }
            if (code === CHAR_LEFT_CURLY_BRACE) {
              braces++;
              continue;
            }
            if (braceEscaped !== true && code === CHAR_DOT && (code = advance()) === CHAR_DOT) {
              isBrace = token.isBrace = true;
              isGlob = token.isGlob = true;
              finished = true;
              if (scanToEnd === true) {
                continue;
              }
              break;
            }
            if (braceEscaped !== true && code === CHAR_COMMA) {
              isBrace = token.isBrace = true;
              isGlob = token.isGlob = true;
              finished = true;
              if (scanToEnd === true) {
                continue;
              }
              break;
            }
            if (code === CHAR_RIGHT_CURLY_BRACE) {
              braces--;
              if (braces === 0) {
                braceEscaped = false;
                isBrace = token.isBrace = true;
                finished = true;
                break;
              }
            }
          }
          if (scanToEnd === true) {
            continue;
          }
          break;
        }
        if (code === CHAR_FORWARD_SLASH) {
          slashes.push(index);
          tokens.push(token);
          token = { value: "", depth: 0, isGlob: false };
          if (finished === true) continue;
          if (prev === CHAR_DOT && index === start + 1) {
            start += 2;
            continue;
          }
          lastIndex = index + 1;
          continue;
        }
        if (opts.noext !== true) {
          const isExtglobChar = code === CHAR_PLUS || code === CHAR_AT || code === CHAR_ASTERISK || code === CHAR_QUESTION_MARK || code === CHAR_EXCLAMATION_MARK;
          if (isExtglobChar === true && peek() === CHAR_LEFT_PARENTHESES) {
            isGlob = token.isGlob = true;
            isExtglob = token.isExtglob = true;
            finished = true;
            if (code === CHAR_EXCLAMATION_MARK && index === start) {
              negatedExtglob = true;
            }
            if (scanToEnd === true) {
              let parens = 0;
              while (eos() !== true && (code = advance())) {
                if (code === CHAR_BACKWARD_SLASH) {
                  backslashes = token.backslashes = true;
                  advance();
                  continue;
                }
                if (code === CHAR_LEFT_PARENTHESES) {
                  parens++;
                  continue;
                }
                if (code === CHAR_RIGHT_PARENTHESES && --parens === 0) {
                  finished = true;
                  break;
                }
              }
              continue;
            }
            break;
          }
        }
        if (code === CHAR_ASTERISK) {
          if (prev === CHAR_ASTERISK) isGlobstar = token.isGlobstar = true;
          isGlob = token.isGlob = true;
          finished = true;
          if (scanToEnd === true) {
            continue;
          }
          break;
        }
        if (code === CHAR_QUESTION_MARK) {
          isGlob = token.isGlob = true;
          finished = true;
          if (scanToEnd === true) {
            continue;
          }
          break;
        }
        if (code === CHAR_LEFT_SQUARE_BRACKET) {
          while (eos() !== true && (next = advance())) {
            if (next === CHAR_BACKWARD_SLASH) {
              backslashes = token.backslashes = true;
              advance();
              continue;
            }
            if (next === CHAR_RIGHT_SQUARE_BRACKET) {
              isBracket = token.isBracket = true;
              isGlob = token.isGlob = true;
              finished = true;
              break;
            }
          }
          if (scanToEnd === true) {
            continue;
          }
          break;
        }
        if (opts.nonegate !== true && code === CHAR_EXCLAMATION_MARK && index === start) {
          negated = token.negated = true;
          start++;
          continue;
        }
        if (opts.noparen !== true && code === CHAR_LEFT_PARENTHESES) {
          isGlob = token.isGlob = true;
          if (scanToEnd === true) {
            let parens = 1;
            while (eos() !== true && (code = advance())) {
              if (code === CHAR_BACKWARD_SLASH) {
                backslashes = token.backslashes = true;
                advance();
                continue;
              }
              if (code === CHAR_LEFT_PARENTHESES) {
                parens++;
                continue;
              }
              if (code === CHAR_RIGHT_PARENTHESES && --parens === 0) {
                finished = true;
                break;
              }
            }
            continue;
          }
          break;
        }
        if (isGlob === true) {
          finished = true;
          if (scanToEnd === true) {
            continue;
          }
          break;
        }
      }
      if (opts.noext === true) {
        isExtglob = false;
        isGlob = false;
      }
      let base = str;
      let prefix = "";
      let glob = "";
      if (start > 0) {
        prefix = str.slice(0, start);
        str = str.slice(start);
        lastIndex -= start;
      }
      if (base && isGlob === true && lastIndex > 0) {
        base = str.slice(0, lastIndex);
        glob = str.slice(lastIndex);
      } else if (isGlob === true) {
        base = "";
        glob = str;
      } else {
        base = str;
      }
      if (base && base !== "" && base !== "/" && base !== str) {
        if (isPathSeparator(base.charCodeAt(base.length - 1))) {
          base = base.slice(0, -1);
        }
      }
      if (opts.unescape === true) {
        if (glob) glob = utils.removeBackslashes(glob);
        if (base && backslashes === true) {
          base = utils.removeBackslashes(base);
        }
      }
      const state = {
        prefix,
        input,
        start,
        base,
        glob,
        isBrace,
        isBracket,
        isGlob,
        isExtglob,
        isGlobstar,
        negated,
        negatedExtglob
      };
      if (opts.tokens === true) {
        state.maxDepth = 0;
        if (!isPathSeparator(code)) {
          tokens.push(token);
        }
        state.tokens = tokens;
      }
      if (opts.parts === true || opts.tokens === true) {
        let prevIndex;
        for (let idx = 0; idx < slashes.length; idx++) {
          const n2 = prevIndex !== void 0 ? prevIndex + 1 : start;
          const i = slashes[idx];
          const value2 = input.slice(n2, i);
          if (opts.tokens) {
            if (idx === 0 && start !== 0) {
              tokens[idx].isPrefix = true;
              tokens[idx].value = prefix;
            } else {
              tokens[idx].value = value2;
            }
            depth(tokens[idx]);
            state.maxDepth += tokens[idx].depth;
          }
          if (i >= start) {
            parts.push(value2);
            prevIndex = i;
          }
        }
        const n = prevIndex !== void 0 ? prevIndex + 1 : start;
        const value = input.slice(n);
        parts.push(value);
        if (opts.tokens && prevIndex && prevIndex + 1 < input.length) {
          tokens[tokens.length - 1].value = value;
          depth(tokens[tokens.length - 1]);
          state.maxDepth += tokens[tokens.length - 1].depth;
        }
        state.slashes = slashes;
        state.parts = parts;
      }
      return state;
    };
    module.exports = scan;
  }
});

// node_modules/picomatch/lib/parse.js
var require_parse = __commonJS({
  "node_modules/picomatch/lib/parse.js"(exports, module) {
    "use strict";
    var constants3 = require_constants();
    var utils = require_utils();
    var {
      MAX_LENGTH,
      POSIX_REGEX_SOURCE,
      REGEX_NON_SPECIAL_CHARS,
      REGEX_SPECIAL_CHARS_BACKREF,
      REPLACEMENTS
    } = constants3;
    var expandRange = (args, options) => {
      if (typeof options.expandRange === "function") {
        return options.expandRange(...args, options);
      }
      args.sort();
      const value = `[${args.join("-")}]`;
      try {
        new RegExp(value);
      } catch (ex) {
        return args.map((v2) => utils.escapeRegex(v2)).join("..");
      }
      return value;
    };
    var syntaxError = (type, char) => {
      return `Missing ${type}: "${char}" - use "\\\\${char}" to match literal characters`;
    };
    var splitTopLevel = (input) => {
      const parts = [];
      let bracket = 0;
      let paren = 0;
      let quote = 0;
      let value = "";
      let escaped = false;
      for (const ch of input) {
        if (escaped === true) {
          value += ch;
          escaped = false;
          continue;
        }
        if (ch === "\\") {
          value += ch;
          escaped = true;
          continue;
        }
        if (ch === '"') {
          quote = quote === 1 ? 0 : 1;
          value += ch;
          continue;
        }
        if (quote === 0) {
          if (ch === "[") {
            bracket++;
          } else if (ch === "]" && bracket > 0) {
            bracket--;
          } else if (bracket === 0) {
            if (ch === "(") {
              paren++;
            } else if (ch === ")" && paren > 0) {
              paren--;
            } else if (ch === "|" && paren === 0) {
              parts.push(value);
              value = "";
              continue;
            }
          }
        }
        value += ch;
      }
      parts.push(value);
      return parts;
    };
    var isPlainBranch = (branch) => {
      let escaped = false;
      for (const ch of branch) {
        if (escaped === true) {
          escaped = false;
          continue;
        }
        if (ch === "\\") {
          escaped = true;
          continue;
        }
        if (/[?*+@!()[\]{}]/.test(ch)) {
          return false;
        }
      }
      return true;
    };
    var normalizeSimpleBranch = (branch) => {
      let value = branch.trim();
      let changed = true;
      while (changed === true) {
        changed = false;
        if (/^@\([^\\()[\]{}|]+\)$/.test(value)) {
          value = value.slice(2, -1);
          changed = true;
        }
      }
      if (!isPlainBranch(value)) {
        return;
      }
      return value.replace(/\\(.)/g, "$1");
    };
    var hasRepeatedCharPrefixOverlap = (branches) => {
      const values = branches.map(normalizeSimpleBranch).filter(Boolean);
      for (let i = 0; i < values.length; i++) {
        for (let j3 = i + 1; j3 < values.length; j3++) {
          const a = values[i];
          const b3 = values[j3];
          const char = a[0];
          if (!char || a !== char.repeat(a.length) || b3 !== char.repeat(b3.length)) {
            continue;
          }
          if (a === b3 || a.startsWith(b3) || b3.startsWith(a)) {
            return true;
          }
        }
      }
      return false;
    };
    var parseRepeatedExtglob = (pattern, requireEnd = true) => {
      if (pattern[0] !== "+" && pattern[0] !== "*" || pattern[1] !== "(") {
        return;
      }
      let bracket = 0;
      let paren = 0;
      let quote = 0;
      let escaped = false;
      for (let i = 1; i < pattern.length; i++) {
        const ch = pattern[i];
        if (escaped === true) {
          escaped = false;
          continue;
        }
        if (ch === "\\") {
          escaped = true;
          continue;
        }
        if (ch === '"') {
          quote = quote === 1 ? 0 : 1;
          continue;
        }
        if (quote === 1) {
          continue;
        }
        if (ch === "[") {
          bracket++;
          continue;
        }
        if (ch === "]" && bracket > 0) {
          bracket--;
          continue;
        }
        if (bracket > 0) {
          continue;
        }
        if (ch === "(") {
          paren++;
          continue;
        }
        if (ch === ")") {
          paren--;
          if (paren === 0) {
            if (requireEnd === true && i !== pattern.length - 1) {
              return;
            }
            return {
              type: pattern[0],
              body: pattern.slice(2, i),
              end: i
            };
          }
        }
      }
    };
    var buildCharClassStar = (chars) => {
      const source = chars.length === 1 ? utils.escapeRegex(chars[0]) : `[${chars.map((ch) => utils.escapeRegex(ch)).join("")}]`;
      return `${source}*`;
    };
    var getStarExtglobSequenceChars = (pattern) => {
      let index = 0;
      const chars = [];
      while (index < pattern.length) {
        const match = parseRepeatedExtglob(pattern.slice(index), false);
        if (!match || match.type !== "*") {
          return;
        }
        const branches = splitTopLevel(match.body).map((branch2) => branch2.trim());
        if (branches.length !== 1) {
          return;
        }
        const branch = normalizeSimpleBranch(branches[0]);
        if (!branch || branch.length !== 1) {
          return;
        }
        chars.push(branch);
        index += match.end + 1;
      }
      if (chars.length < 1) {
        return;
      }
      return chars;
    };
    var repeatedExtglobRecursion = (pattern) => {
      let depth = 0;
      let value = pattern.trim();
      let match = parseRepeatedExtglob(value);
      while (match) {
        depth++;
        value = match.body.trim();
        match = parseRepeatedExtglob(value);
      }
      return depth;
    };
    var analyzeRepeatedExtglob = (body, options) => {
      if (options.maxExtglobRecursion === false) {
        return { risky: false };
      }
      const max = typeof options.maxExtglobRecursion === "number" ? options.maxExtglobRecursion : constants3.DEFAULT_MAX_EXTGLOB_RECURSION;
      const branches = splitTopLevel(body).map((branch) => branch.trim());
      if (branches.length > 1) {
        if (branches.some((branch) => branch === "") || branches.some((branch) => /^[*?]+$/.test(branch)) || hasRepeatedCharPrefixOverlap(branches)) {
          return { risky: true };
        }
      }
      const safeChars = [];
      let sawStarSequence = false;
      let combinable = true;
      for (const branch of branches) {
        const chars = getStarExtglobSequenceChars(branch);
        if (chars) {
          sawStarSequence = true;
          safeChars.push(...chars);
          continue;
        }
        const literal = normalizeSimpleBranch(branch);
        if (literal && literal.length === 1) {
          safeChars.push(literal);
          continue;
        }
        combinable = false;
        if (repeatedExtglobRecursion(branch) > max) {
          return { risky: true };
        }
      }
      if (sawStarSequence) {
        return combinable ? { risky: true, safeOutput: buildCharClassStar([...new Set(safeChars)]) } : { risky: true };
      }
      return { risky: false };
    };
    var parse2 = (input, options) => {
      if (typeof input !== "string") {
        throw new TypeError("Expected a string");
      }
      input = REPLACEMENTS[input] || input;
      const opts = { ...options };
      const max = typeof opts.maxLength === "number" ? Math.min(MAX_LENGTH, opts.maxLength) : MAX_LENGTH;
      let len = input.length;
      if (len > max) {
        throw new SyntaxError(`Input length: ${len}, exceeds maximum allowed length: ${max}`);
      }
      const bos = { type: "bos", value: "", output: opts.prepend || "" };
      const tokens = [bos];
      const capture = opts.capture ? "" : "?:";
      const PLATFORM_CHARS = constants3.globChars(opts.windows);
      const EXTGLOB_CHARS = constants3.extglobChars(PLATFORM_CHARS);
      const {
        DOT_LITERAL,
        PLUS_LITERAL,
        SLASH_LITERAL,
        ONE_CHAR,
        DOTS_SLASH,
        NO_DOT,
        NO_DOT_SLASH,
        NO_DOTS_SLASH,
        QMARK,
        QMARK_NO_DOT,
        STAR,
        START_ANCHOR
      } = PLATFORM_CHARS;
      const globstar = (opts2) => {
        return `(${capture}(?:(?!${START_ANCHOR}${opts2.dot ? DOTS_SLASH : DOT_LITERAL}).)*?)`;
      };
      const nodot = opts.dot ? "" : NO_DOT;
      const qmarkNoDot = opts.dot ? QMARK : QMARK_NO_DOT;
      let star = opts.bash === true ? globstar(opts) : STAR;
      if (opts.capture) {
        star = `(${star})`;
      }
      if (typeof opts.noext === "boolean") {
        opts.noextglob = opts.noext;
      }
      const state = {
        input,
        index: -1,
        start: 0,
        dot: opts.dot === true,
        consumed: "",
        output: "",
        prefix: "",
        backtrack: false,
        negated: false,
        brackets: 0,
        braces: 0,
        parens: 0,
        quotes: 0,
        globstar: false,
        tokens
      };
      input = utils.removePrefix(input, state);
      len = input.length;
      const extglobs = [];
      const braces = [];
      const stack = [];
      let prev = bos;
      let value;
      const eos = () => state.index === len - 1;
      const peek = state.peek = (n = 1) => input[state.index + n];
      const advance = state.advance = () => input[++state.index] || "";
      const remaining = () => input.slice(state.index + 1);
      const consume = (value2 = "", num = 0) => {
        state.consumed += value2;
        state.index += num;
      };
      const append = (token) => {
        state.output += token.output != null ? token.output : token.value;
        consume(token.value);
      };
      const negate = () => {
        let count2 = 1;
        while (peek() === "!" && (peek(2) !== "(" || peek(3) === "?")) {
          advance();
          state.start++;
          count2++;
        }
        if (count2 % 2 === 0) {
          return false;
        }
        state.negated = true;
        state.start++;
        return true;
      };
      const increment = (type) => {
        state[type]++;
        stack.push(type);
      };
      const decrement = (type) => {
        state[type]--;
        stack.pop();
      };
      const push = (tok) => {
        if (prev.type === "globstar") {
          const isBrace = state.braces > 0 && (tok.type === "comma" || tok.type === "brace");
          const isExtglob = tok.extglob === true || extglobs.length && (tok.type === "pipe" || tok.type === "paren");
          if (tok.type !== "slash" && tok.type !== "paren" && !isBrace && !isExtglob) {
            state.output = state.output.slice(0, -prev.output.length);
            prev.type = "star";
            prev.value = "*";
            prev.output = star;
            state.output += prev.output;
          }
        }
        if (extglobs.length && tok.type !== "paren") {
          extglobs[extglobs.length - 1].inner += tok.value;
        }
        if (tok.value || tok.output) append(tok);
        if (prev && prev.type === "text" && tok.type === "text") {
          prev.output = (prev.output || prev.value) + tok.value;
          prev.value += tok.value;
          return;
        }
        tok.prev = prev;
        tokens.push(tok);
        prev = tok;
      };
      const extglobOpen = (type, value2) => {
        const token = { ...EXTGLOB_CHARS[value2], conditions: 1, inner: "" };
        token.prev = prev;
        token.parens = state.parens;
        token.output = state.output;
        token.startIndex = state.index;
        token.tokensIndex = tokens.length;
        const output = (opts.capture ? "(" : "") + token.open;
        increment("parens");
        push({ type, value: value2, output: state.output ? "" : ONE_CHAR });
        push({ type: "paren", extglob: true, value: advance(), output });
        extglobs.push(token);
      };
      const extglobClose = (token) => {
        const literal = input.slice(token.startIndex, state.index + 1);
        const body = input.slice(token.startIndex + 2, state.index);
        const analysis = analyzeRepeatedExtglob(body, opts);
        if ((token.type === "plus" || token.type === "star") && analysis.risky) {
          const safeOutput = analysis.safeOutput ? (token.output ? "" : ONE_CHAR) + (opts.capture ? `(${analysis.safeOutput})` : analysis.safeOutput) : void 0;
          const open2 = tokens[token.tokensIndex];
          open2.type = "text";
          open2.value = literal;
          open2.output = safeOutput || utils.escapeRegex(literal);
          for (let i = token.tokensIndex + 1; i < tokens.length; i++) {
            tokens[i].value = "";
            tokens[i].output = "";
            delete tokens[i].suffix;
          }
          state.output = token.output + open2.output;
          state.backtrack = true;
          push({ type: "paren", extglob: true, value, output: "" });
          decrement("parens");
          return;
        }
        let output = token.close + (opts.capture ? ")" : "");
        let rest;
        if (token.type === "negate") {
          let extglobStar = star;
          if (token.inner && token.inner.length > 1 && token.inner.includes("/")) {
            extglobStar = globstar(opts);
          }
          if (extglobStar !== star || eos() || /^\)+$/.test(remaining())) {
            output = token.close = `)$))${extglobStar}`;
          }
          if (token.inner.includes("*") && (rest = remaining()) && /^\.[^\\/.]+$/.test(rest)) {
            const expression = parse2(rest, { ...options, fastpaths: false }).output;
            output = token.close = `)${expression})${extglobStar})`;
          }
          if (token.prev.type === "bos") {
            state.negatedExtglob = true;
          }
        }
        push({ type: "paren", extglob: true, value, output });
        decrement("parens");
      };
      if (opts.fastpaths !== false && !/(^[*!]|[/()[\]{}"])/.test(input)) {
        let backslashes = false;
        let output = input.replace(REGEX_SPECIAL_CHARS_BACKREF, (m2, esc, chars, first, rest, index) => {
          if (first === "\\") {
            backslashes = true;
            return m2;
          }
          if (first === "?") {
            if (esc) {
              return esc + first + (rest ? QMARK.repeat(rest.length) : "");
            }
            if (index === 0) {
              return qmarkNoDot + (rest ? QMARK.repeat(rest.length) : "");
            }
            return QMARK.repeat(chars.length);
          }
          if (first === ".") {
            return DOT_LITERAL.repeat(chars.length);
          }
          if (first === "*") {
            if (esc) {
              return esc + first + (rest ? star : "");
            }
            return star;
          }
          return esc ? m2 : `\\${m2}`;
        });
        if (backslashes === true) {
          if (opts.unescape === true) {
            output = output.replace(/\\/g, "");
          } else {
            output = output.replace(/\\+/g, (m2) => {
              return m2.length % 2 === 0 ? "\\\\" : m2 ? "\\" : "";
            });
          }
        }
        if (output === input && opts.contains === true) {
          state.output = input;
          return state;
        }
        state.output = utils.wrapOutput(output, state, options);
        return state;
      }
      while (!eos()) {
        value = advance();
        if (value === "\0") {
          continue;
        }
        if (value === "\\") {
          const next = peek();
          if (next === "/" && opts.bash !== true) {
            continue;
          }
          if (next === "." || next === ";") {
            continue;
          }
          if (!next) {
            value += "\\";
            push({ type: "text", value });
            continue;
          }
          const match = /^\\+/.exec(remaining());
          let slashes = 0;
          if (match && match[0].length > 2) {
            slashes = match[0].length;
            state.index += slashes;
            if (slashes % 2 !== 0) {
              value += "\\";
            }
          }
          if (opts.unescape === true) {
            value = advance();
          } else {
            value += advance();
          }
          if (state.brackets === 0) {
            push({ type: "text", value });
            continue;
          }
        }
        if (state.brackets > 0 && (value !== "]" || prev.value === "[" || prev.value === "[^")) {
          if (opts.posix !== false && value === ":") {
            const inner = prev.value.slice(1);
            if (inner.includes("[")) {
              prev.posix = true;
              if (inner.includes(":")) {
                const idx = prev.value.lastIndexOf("[");
                const pre = prev.value.slice(0, idx);
                const rest2 = prev.value.slice(idx + 2);
                const posix2 = POSIX_REGEX_SOURCE[rest2];
                if (posix2) {
                  prev.value = pre + posix2;
                  state.backtrack = true;
                  advance();
                  if (!bos.output && tokens.indexOf(prev) === 1) {
                    bos.output = ONE_CHAR;
                  }
                  continue;
                }
              }
            }
          }
          if (value === "[" && peek() !== ":" || value === "-" && peek() === "]") {
            value = `\\${value}`;
          }
          if (value === "]" && (prev.value === "[" || prev.value === "[^")) {
            value = `\\${value}`;
          }
          if (opts.posix === true && value === "!" && prev.value === "[") {
            value = "^";
          }
          prev.value += value;
          append({ value });
          continue;
        }
        if (state.quotes === 1 && value !== '"') {
          value = utils.escapeRegex(value);
          prev.value += value;
          append({ value });
          continue;
        }
        if (value === '"') {
          state.quotes = state.quotes === 1 ? 0 : 1;
          if (opts.keepQuotes === true) {
            push({ type: "text", value });
          }
          continue;
        }
        if (value === "(") {
          increment("parens");
          push({ type: "paren", value });
          continue;
        }
        if (value === ")") {
          if (state.parens === 0 && opts.strictBrackets === true) {
            throw new SyntaxError(syntaxError("opening", "("));
          }
          const extglob = extglobs[extglobs.length - 1];
          if (extglob && state.parens === extglob.parens + 1) {
            extglobClose(extglobs.pop());
            continue;
          }
          push({ type: "paren", value, output: state.parens ? ")" : "\\)" });
          decrement("parens");
          continue;
        }
        if (value === "[") {
          if (opts.nobracket === true || !remaining().includes("]")) {
            if (opts.nobracket !== true && opts.strictBrackets === true) {
              throw new SyntaxError(syntaxError("closing", "]"));
            }
            value = `\\${value}`;
          } else {
            increment("brackets");
          }
          push({ type: "bracket", value });
          continue;
        }
        if (value === "]") {
          if (opts.nobracket === true || prev && prev.type === "bracket" && prev.value.length === 1) {
            push({ type: "text", value, output: `\\${value}` });
            continue;
          }
          if (state.brackets === 0) {
            if (opts.strictBrackets === true) {
              throw new SyntaxError(syntaxError("opening", "["));
            }
            push({ type: "text", value, output: `\\${value}` });
            continue;
          }
          decrement("brackets");
          const prevValue = prev.value.slice(1);
          if (prev.posix !== true && prevValue[0] === "^" && !prevValue.includes("/")) {
            value = `/${value}`;
          }
          prev.value += value;
          append({ value });
          if (opts.literalBrackets === false || utils.hasRegexChars(prevValue)) {
            continue;
          }
          const escaped = utils.escapeRegex(prev.value);
          state.output = state.output.slice(0, -prev.value.length);
          if (opts.literalBrackets === true) {
            state.output += escaped;
            prev.value = escaped;
            continue;
          }
          prev.value = `(${capture}${escaped}|${prev.value})`;
          state.output += prev.value;
          continue;
        }
        if (value === "{" && opts.nobrace !== true) {
          increment("braces");
          const open2 = {
            type: "brace",
            value,
            output: "(",
            outputIndex: state.output.length,
            tokensIndex: state.tokens.length
          };
          braces.push(open2);
          push(open2);
          continue;
        }
        if (value === "}") {
          const brace = braces[braces.length - 1];
          if (opts.nobrace === true || !brace) {
            push({ type: "text", value, output: value });
            continue;
          }
          let output = ")";
          if (brace.dots === true) {
            const arr = tokens.slice();
            const range = [];
            for (let i = arr.length - 1; i >= 0; i--) {
              tokens.pop();
              if (arr[i].type === "brace") {
                break;
              }
              if (arr[i].type !== "dots") {
                range.unshift(arr[i].value);
              }
            }
            output = expandRange(range, opts);
            state.backtrack = true;
          }
          if (brace.comma !== true && brace.dots !== true) {
            const out = state.output.slice(0, brace.outputIndex);
            const toks = state.tokens.slice(brace.tokensIndex);
            brace.value = brace.output = "\\{";
            value = output = "\\}";
            state.output = out;
            for (const t2 of toks) {
              state.output += t2.output || t2.value;
            }
          }
          push({ type: "brace", value, output });
          decrement("braces");
          braces.pop();
          continue;
        }
        if (value === "|") {
          if (extglobs.length > 0) {
            extglobs[extglobs.length - 1].conditions++;
          }
          push({ type: "text", value });
          continue;
        }
        if (value === ",") {
          let output = value;
          const brace = braces[braces.length - 1];
          if (brace && stack[stack.length - 1] === "braces") {
            brace.comma = true;
            output = "|";
          }
          push({ type: "comma", value, output });
          continue;
        }
        if (value === "/") {
          if (prev.type === "dot" && state.index === state.start + 1) {
            state.start = state.index + 1;
            state.consumed = "";
            state.output = "";
            tokens.pop();
            prev = bos;
            continue;
          }
          push({ type: "slash", value, output: SLASH_LITERAL });
          continue;
        }
        if (value === ".") {
          if (state.braces > 0 && prev.type === "dot") {
            if (prev.value === ".") prev.output = DOT_LITERAL;
            const brace = braces[braces.length - 1];
            prev.type = "dots";
            prev.output += value;
            prev.value += value;
            brace.dots = true;
            continue;
          }
          if (state.braces + state.parens === 0 && prev.type !== "bos" && prev.type !== "slash") {
            push({ type: "text", value, output: DOT_LITERAL });
            continue;
          }
          push({ type: "dot", value, output: DOT_LITERAL });
          continue;
        }
        if (value === "?") {
          const isGroup = prev && prev.value === "(";
          if (!isGroup && opts.noextglob !== true && peek() === "(" && peek(2) !== "?") {
            extglobOpen("qmark", value);
            continue;
          }
          if (prev && prev.type === "paren") {
            const next = peek();
            let output = value;
            if (prev.value === "(" && !/[!=<:]/.test(next) || next === "<" && !/<([!=]|\w+>)/.test(remaining())) {
              output = `\\${value}`;
            }
            push({ type: "text", value, output });
            continue;
          }
          if (opts.dot !== true && (prev.type === "slash" || prev.type === "bos")) {
            push({ type: "qmark", value, output: QMARK_NO_DOT });
            continue;
          }
          push({ type: "qmark", value, output: QMARK });
          continue;
        }
        if (value === "!") {
          if (opts.noextglob !== true && peek() === "(") {
            if (peek(2) !== "?" || !/[!=<:]/.test(peek(3))) {
              extglobOpen("negate", value);
              continue;
            }
          }
          if (opts.nonegate !== true && state.index === 0) {
            negate();
            continue;
          }
        }
        if (value === "+") {
          if (opts.noextglob !== true && peek() === "(" && peek(2) !== "?") {
            extglobOpen("plus", value);
            continue;
          }
          if (prev && prev.value === "(" || opts.regex === false) {
            push({ type: "plus", value, output: PLUS_LITERAL });
            continue;
          }
          if (prev && (prev.type === "bracket" || prev.type === "paren" || prev.type === "brace") || state.parens > 0) {
            push({ type: "plus", value });
            continue;
          }
          push({ type: "plus", value: PLUS_LITERAL });
          continue;
        }
        if (value === "@") {
          if (opts.noextglob !== true && peek() === "(" && peek(2) !== "?") {
            push({ type: "at", extglob: true, value, output: "" });
            continue;
          }
          push({ type: "text", value });
          continue;
        }
        if (value !== "*") {
          if (value === "$" || value === "^") {
            value = `\\${value}`;
          }
          const match = REGEX_NON_SPECIAL_CHARS.exec(remaining());
          if (match) {
            value += match[0];
            state.index += match[0].length;
          }
          push({ type: "text", value });
          continue;
        }
        if (prev && (prev.type === "globstar" || prev.star === true)) {
          prev.type = "star";
          prev.star = true;
          prev.value += value;
          prev.output = star;
          state.backtrack = true;
          state.globstar = true;
          consume(value);
          continue;
        }
        let rest = remaining();
        if (opts.noextglob !== true && /^\([^?]/.test(rest)) {
          extglobOpen("star", value);
          continue;
        }
        if (prev.type === "star") {
          if (opts.noglobstar === true) {
            consume(value);
            continue;
          }
          const prior = prev.prev;
          const before = prior.prev;
          const isStart = prior.type === "slash" || prior.type === "bos";
          const afterStar = before && (before.type === "star" || before.type === "globstar");
          if (opts.bash === true && (!isStart || rest[0] && rest[0] !== "/")) {
            push({ type: "star", value, output: "" });
            continue;
          }
          const isBrace = state.braces > 0 && (prior.type === "comma" || prior.type === "brace");
          const isExtglob = extglobs.length && (prior.type === "pipe" || prior.type === "paren");
          if (!isStart && prior.type !== "paren" && !isBrace && !isExtglob) {
            push({ type: "star", value, output: "" });
            continue;
          }
          while (rest.slice(0, 3) === "/**") {
            const after = input[state.index + 4];
            if (after && after !== "/") {
              break;
            }
            rest = rest.slice(3);
            consume("/**", 3);
          }
          const isEnd = eos() || state.parens > 0 && rest === ")".repeat(state.parens) && !extglobs.some((extglob) => extglob.type === "negate");
          if (prior.type === "bos" && eos()) {
            prev.type = "globstar";
            prev.value += value;
            prev.output = globstar(opts);
            state.output = prev.output;
            state.globstar = true;
            consume(value);
            continue;
          }
          if (prior.type === "slash" && prior.prev.type !== "bos" && !afterStar && isEnd) {
            state.output = state.output.slice(0, -(prior.output + prev.output).length);
            prior.output = `(?:${prior.output}`;
            prev.type = "globstar";
            prev.output = globstar(opts) + (opts.strictSlashes ? ")" : "|$)");
            prev.value += value;
            state.globstar = true;
            state.output += prior.output + prev.output;
            consume(value);
            continue;
          }
          if (prior.type === "slash" && prior.prev.type !== "bos" && rest[0] === "/") {
            const end = rest[1] !== void 0 ? "|$" : "";
            state.output = state.output.slice(0, -(prior.output + prev.output).length);
            prior.output = `(?:${prior.output}`;
            prev.type = "globstar";
            prev.output = `${globstar(opts)}${SLASH_LITERAL}|${SLASH_LITERAL}${end})`;
            prev.value += value;
            state.output += prior.output + prev.output;
            state.globstar = true;
            consume(value + advance());
            push({ type: "slash", value: "/", output: "" });
            continue;
          }
          if (prior.type === "bos" && rest[0] === "/") {
            prev.type = "globstar";
            prev.value += value;
            prev.output = `(?:^|${SLASH_LITERAL}|${globstar(opts)}${SLASH_LITERAL})`;
            state.output = prev.output;
            state.globstar = true;
            consume(value + advance());
            push({ type: "slash", value: "/", output: "" });
            continue;
          }
          state.output = state.output.slice(0, -prev.output.length);
          prev.type = "globstar";
          prev.output = globstar(opts);
          prev.value += value;
          state.output += prev.output;
          state.globstar = true;
          consume(value);
          continue;
        }
        const token = { type: "star", value, output: star };
        if (opts.bash === true) {
          token.output = ".*?";
          if (prev.type === "bos" || prev.type === "slash") {
            token.output = nodot + token.output;
          }
          push(token);
          continue;
        }
        if (prev && (prev.type === "bracket" || prev.type === "paren") && opts.regex === true) {
          token.output = value;
          push(token);
          continue;
        }
        if (state.index === state.start || prev.type === "slash" || prev.type === "dot") {
          if (prev.type === "dot") {
            state.output += NO_DOT_SLASH;
            prev.output += NO_DOT_SLASH;
          } else if (opts.dot === true) {
            state.output += NO_DOTS_SLASH;
            prev.output += NO_DOTS_SLASH;
          } else {
            state.output += nodot;
            prev.output += nodot;
          }
          if (peek() !== "*") {
            state.output += ONE_CHAR;
            prev.output += ONE_CHAR;
          }
        }
        push(token);
      }
      while (state.brackets > 0) {
        if (opts.strictBrackets === true) throw new SyntaxError(syntaxError("closing", "]"));
        state.output = utils.escapeLast(state.output, "[");
        decrement("brackets");
      }
      while (state.parens > 0) {
        if (opts.strictBrackets === true) throw new SyntaxError(syntaxError("closing", ")"));
        state.output = utils.escapeLast(state.output, "(");
        decrement("parens");
      }
      while (state.braces > 0) {
        if (opts.strictBrackets === true) throw new SyntaxError(syntaxError("closing", "}"));
        state.output = utils.escapeLast(state.output, "{");
        decrement("braces");
      }
      if (opts.strictSlashes !== true && (prev.type === "star" || prev.type === "bracket")) {
        push({ type: "maybe_slash", value: "", output: `${SLASH_LITERAL}?` });
      }
      if (state.backtrack === true) {
        state.output = "";
        for (const token of state.tokens) {
          state.output += token.output != null ? token.output : token.value;
          if (token.suffix) {
            state.output += token.suffix;
          }
        }
      }
      return state;
    };
    parse2.fastpaths = (input, options) => {
      const opts = { ...options };
      const max = typeof opts.maxLength === "number" ? Math.min(MAX_LENGTH, opts.maxLength) : MAX_LENGTH;
      const len = input.length;
      if (len > max) {
        throw new SyntaxError(`Input length: ${len}, exceeds maximum allowed length: ${max}`);
      }
      input = REPLACEMENTS[input] || input;
      const {
        DOT_LITERAL,
        SLASH_LITERAL,
        ONE_CHAR,
        DOTS_SLASH,
        NO_DOT,
        NO_DOTS,
        NO_DOTS_SLASH,
        STAR,
        START_ANCHOR
      } = constants3.globChars(opts.windows);
      const nodot = opts.dot ? NO_DOTS : NO_DOT;
      const slashDot = opts.dot ? NO_DOTS_SLASH : NO_DOT;
      const capture = opts.capture ? "" : "?:";
      const state = { negated: false, prefix: "" };
      let star = opts.bash === true ? ".*?" : STAR;
      if (opts.capture) {
        star = `(${star})`;
      }
      const globstar = (opts2) => {
        if (opts2.noglobstar === true) return star;
        return `(${capture}(?:(?!${START_ANCHOR}${opts2.dot ? DOTS_SLASH : DOT_LITERAL}).)*?)`;
      };
      const create = (str) => {
        switch (str) {
          case "*":
            return `${nodot}${ONE_CHAR}${star}`;
          case ".*":
            return `${DOT_LITERAL}${ONE_CHAR}${star}`;
          case "*.*":
            return `${nodot}${star}${DOT_LITERAL}${ONE_CHAR}${star}`;
          case "*/*":
            return `${nodot}${star}${SLASH_LITERAL}${ONE_CHAR}${slashDot}${star}`;
          case "**":
            return nodot + globstar(opts);
          case "**/*":
            return `(?:${nodot}${globstar(opts)}${SLASH_LITERAL})?${slashDot}${ONE_CHAR}${star}`;
          case "**/*.*":
            return `(?:${nodot}${globstar(opts)}${SLASH_LITERAL})?${slashDot}${star}${DOT_LITERAL}${ONE_CHAR}${star}`;
          case "**/.*":
            return `(?:${nodot}${globstar(opts)}${SLASH_LITERAL})?${DOT_LITERAL}${ONE_CHAR}${star}`;
          default: {
            const match = /^(.*?)\.(\w+)$/.exec(str);
            if (!match) return;
            const source2 = create(match[1]);
            if (!source2) return;
            return source2 + DOT_LITERAL + match[2];
          }
        }
      };
      const output = utils.removePrefix(input, state);
      let source = create(output);
      if (source && opts.strictSlashes !== true) {
        source += `${SLASH_LITERAL}?`;
      }
      return source;
    };
    module.exports = parse2;
  }
});

// node_modules/picomatch/lib/picomatch.js
var require_picomatch = __commonJS({
  "node_modules/picomatch/lib/picomatch.js"(exports, module) {
    "use strict";
    var scan = require_scan();
    var parse2 = require_parse();
    var utils = require_utils();
    var constants3 = require_constants();
    var isObject = (val) => val && typeof val === "object" && !Array.isArray(val);
    var picomatch2 = (glob, options, returnState = false) => {
      if (Array.isArray(glob)) {
        const fns = glob.map((input) => picomatch2(input, options, returnState));
        const arrayMatcher = (str) => {
          for (const isMatch of fns) {
            const state2 = isMatch(str);
            if (state2) return state2;
          }
          return false;
        };
        return arrayMatcher;
      }
      const isState = isObject(glob) && glob.tokens && glob.input;
      if (glob === "" || typeof glob !== "string" && !isState) {
        throw new TypeError("Expected pattern to be a non-empty string");
      }
      const opts = options || {};
      const posix2 = opts.windows;
      const regex = isState ? picomatch2.compileRe(glob, options) : picomatch2.makeRe(glob, options, false, true);
      const state = regex.state;
      delete regex.state;
      let isIgnored = () => false;
      if (opts.ignore) {
        const ignoreOpts = { ...options, ignore: null, onMatch: null, onResult: null };
        isIgnored = picomatch2(opts.ignore, ignoreOpts, returnState);
      }
      const matcher = (input, returnObject = false) => {
        const { isMatch, match, output } = picomatch2.test(input, regex, options, { glob, posix: posix2 });
        const result = { glob, state, regex, posix: posix2, input, output, match, isMatch };
        if (typeof opts.onResult === "function") {
          opts.onResult(result);
        }
        if (isMatch === false) {
          result.isMatch = false;
          return returnObject ? result : false;
        }
        if (isIgnored(input)) {
          if (typeof opts.onIgnore === "function") {
            opts.onIgnore(result);
          }
          result.isMatch = false;
          return returnObject ? result : false;
        }
        if (typeof opts.onMatch === "function") {
          opts.onMatch(result);
        }
        return returnObject ? result : true;
      };
      if (returnState) {
        matcher.state = state;
      }
      return matcher;
    };
    picomatch2.test = (input, regex, options, { glob, posix: posix2 } = {}) => {
      if (typeof input !== "string") {
        throw new TypeError("Expected input to be a string");
      }
      if (input === "") {
        return { isMatch: false, output: "" };
      }
      const opts = options || {};
      const format2 = opts.format || (posix2 ? utils.toPosixSlashes : null);
      let match = input === glob;
      let output = match && format2 ? format2(input) : input;
      if (match === false) {
        output = format2 ? format2(input) : input;
        match = output === glob;
      }
      if (match === false || opts.capture === true) {
        if (opts.matchBase === true || opts.basename === true) {
          match = picomatch2.matchBase(input, regex, options, posix2);
        } else {
          match = regex.exec(output);
        }
      }
      return { isMatch: Boolean(match), match, output };
    };
    picomatch2.matchBase = (input, glob, options, posix2 = options && options.windows) => {
      const regex = glob instanceof RegExp ? glob : picomatch2.makeRe(glob, options);
      return regex.test(utils.basename(input, { windows: posix2 }));
    };
    picomatch2.isMatch = (str, patterns, options) => picomatch2(patterns, options)(str);
    picomatch2.parse = (pattern, options) => {
      if (Array.isArray(pattern)) return pattern.map((p2) => picomatch2.parse(p2, options));
      return parse2(pattern, { ...options, fastpaths: false });
    };
    picomatch2.scan = (input, options) => scan(input, options);
    picomatch2.compileRe = (state, options, returnOutput = false, returnState = false) => {
      if (returnOutput === true) {
        return state.output;
      }
      const opts = options || {};
      const prepend = opts.contains ? "" : "^";
      const append = opts.contains ? "" : "$";
      let source = `${prepend}(?:${state.output})${append}`;
      if (state && state.negated === true) {
        source = `^(?!${source}).*$`;
      }
      const regex = picomatch2.toRegex(source, options);
      if (returnState === true) {
        regex.state = state;
      }
      return regex;
    };
    picomatch2.makeRe = (input, options = {}, returnOutput = false, returnState = false) => {
      if (!input || typeof input !== "string") {
        throw new TypeError("Expected a non-empty string");
      }
      let parsed = { negated: false, fastpaths: true };
      if (options.fastpaths !== false && (input[0] === "." || input[0] === "*")) {
        parsed.output = parse2.fastpaths(input, options);
      }
      if (!parsed.output) {
        parsed = parse2(input, options);
      }
      return picomatch2.compileRe(parsed, options, returnOutput, returnState);
    };
    picomatch2.toRegex = (source, options) => {
      try {
        const opts = options || {};
        return new RegExp(source, opts.flags || (opts.nocase ? "i" : ""));
      } catch (err) {
        if (options && options.debug === true) throw err;
        return /$^/;
      }
    };
    picomatch2.constants = constants3;
    module.exports = picomatch2;
  }
});

// node_modules/picomatch/index.js
var require_picomatch2 = __commonJS({
  "node_modules/picomatch/index.js"(exports, module) {
    "use strict";
    var pico = require_picomatch();
    var utils = require_utils();
    function picomatch2(glob, options, returnState = false) {
      if (options && (options.windows === null || options.windows === void 0)) {
        options = { ...options, windows: utils.isWindows() };
      }
      return pico(glob, options, returnState);
    }
    Object.assign(picomatch2, pico);
    module.exports = picomatch2;
  }
});

// src/cli/main.ts
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";

// src/errors.ts
var ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  rolledBack: 3
};
function formatIssue(issue) {
  const where = issue.line === void 0 ? issue.path : `${issue.path}:${issue.line}:${issue.column ?? 1}`;
  return issue.hint ? `${where}: ${issue.message}
  ${issue.hint}` : `${where}: ${issue.message}`;
}
var DeptoolError = class extends Error {
  exitCode;
  constructor(message, exitCode) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
};
var ConfigError = class extends DeptoolError {
  issues;
  constructor(issues) {
    const count2 = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
    super(`Invalid configuration (${count2}):
${issues.map(formatIssue).join("\n")}`, ExitCode.usage);
    this.issues = issues;
  }
};
var UsageError = class extends DeptoolError {
  constructor(message) {
    super(message, ExitCode.usage);
  }
};
var OperationError = class extends DeptoolError {
  constructor(message) {
    super(message, ExitCode.failed);
  }
};

// src/cli/args.ts
import { parseArgs } from "node:util";
var GLOBAL_OPTIONS = {
  help: { type: "boolean", short: "h" },
  store: { type: "string" }
};
var GLOBAL_HELP = [
  "--store DIR       the store (default: $DEPTOOL_STORE, else .deptool)",
  "-h, --help        show this help"
];
function helpText(spec6) {
  return [
    `Usage: ${spec6.usage}`,
    "",
    spec6.summary,
    "",
    "Options:",
    ...[...spec6.optionHelp, ...GLOBAL_HELP].map((line) => `  ${line}`),
    ""
  ].join("\n");
}
function parseCommand(spec6, argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { ...GLOBAL_OPTIONS, ...spec6.options },
      allowPositionals: true,
      strict: true
    });
  } catch (error) {
    throw new UsageError(`${error.message}
Run 'deptool ${spec6.name} --help' for usage.`);
  }
  if (!parsed.values.help && parsed.positionals.length > spec6.maxPositionals) {
    throw new UsageError(
      `Unexpected argument '${parsed.positionals[spec6.maxPositionals]}'.
Run 'deptool ${spec6.name} --help' for usage.`
    );
  }
  return parsed;
}
function listOption(value) {
  if (value === void 0 || typeof value === "boolean") return void 0;
  const items = (Array.isArray(value) ? value : [value]).flatMap((v2) => v2.split(",")).map((v2) => v2.trim());
  return items.filter((v2) => v2.length > 0);
}

// src/cli/commands/diff.ts
var diff_exports = {};
__export(diff_exports, {
  run: () => run,
  spec: () => spec
});
import { spawn as spawn2 } from "node:child_process";

// src/plan/load.ts
import { readFile } from "node:fs/promises";
import { join } from "node:path";

// src/tree/manifest.ts
import { posix } from "node:path";

// node_modules/jsonc-parser/lib/esm/impl/scanner.js
function createScanner(text, ignoreTrivia = false) {
  const len = text.length;
  let pos = 0, value = "", tokenOffset = 0, token = 16, lineNumber = 0, lineStartOffset = 0, tokenLineStartOffset = 0, prevTokenLineStartOffset = 0, scanError = 0;
  function scanHexDigits(count2, exact) {
    let digits = 0;
    let value2 = 0;
    while (digits < count2 || !exact) {
      let ch = text.charCodeAt(pos);
      if (ch >= 48 && ch <= 57) {
        value2 = value2 * 16 + ch - 48;
      } else if (ch >= 65 && ch <= 70) {
        value2 = value2 * 16 + ch - 65 + 10;
      } else if (ch >= 97 && ch <= 102) {
        value2 = value2 * 16 + ch - 97 + 10;
      } else {
        break;
      }
      pos++;
      digits++;
    }
    if (digits < count2) {
      value2 = -1;
    }
    return value2;
  }
  function setPosition(newPosition) {
    pos = newPosition;
    value = "";
    tokenOffset = 0;
    token = 16;
    scanError = 0;
  }
  function scanNumber() {
    let start = pos;
    if (text.charCodeAt(pos) === 48) {
      pos++;
    } else {
      pos++;
      while (pos < text.length && isDigit(text.charCodeAt(pos))) {
        pos++;
      }
    }
    if (pos < text.length && text.charCodeAt(pos) === 46) {
      pos++;
      if (pos < text.length && isDigit(text.charCodeAt(pos))) {
        pos++;
        while (pos < text.length && isDigit(text.charCodeAt(pos))) {
          pos++;
        }
      } else {
        scanError = 3;
        return text.substring(start, pos);
      }
    }
    let end = pos;
    if (pos < text.length && (text.charCodeAt(pos) === 69 || text.charCodeAt(pos) === 101)) {
      pos++;
      if (pos < text.length && text.charCodeAt(pos) === 43 || text.charCodeAt(pos) === 45) {
        pos++;
      }
      if (pos < text.length && isDigit(text.charCodeAt(pos))) {
        pos++;
        while (pos < text.length && isDigit(text.charCodeAt(pos))) {
          pos++;
        }
        end = pos;
      } else {
        scanError = 3;
      }
    }
    return text.substring(start, end);
  }
  function scanString() {
    let result = "", start = pos;
    while (true) {
      if (pos >= len) {
        result += text.substring(start, pos);
        scanError = 2;
        break;
      }
      const ch = text.charCodeAt(pos);
      if (ch === 34) {
        result += text.substring(start, pos);
        pos++;
        break;
      }
      if (ch === 92) {
        result += text.substring(start, pos);
        pos++;
        if (pos >= len) {
          scanError = 2;
          break;
        }
        const ch2 = text.charCodeAt(pos++);
        switch (ch2) {
          case 34:
            result += '"';
            break;
          case 92:
            result += "\\";
            break;
          case 47:
            result += "/";
            break;
          case 98:
            result += "\b";
            break;
          case 102:
            result += "\f";
            break;
          case 110:
            result += "\n";
            break;
          case 114:
            result += "\r";
            break;
          case 116:
            result += "	";
            break;
          case 117:
            const ch3 = scanHexDigits(4, true);
            if (ch3 >= 0) {
              result += String.fromCharCode(ch3);
            } else {
              scanError = 4;
            }
            break;
          default:
            scanError = 5;
        }
        start = pos;
        continue;
      }
      if (ch >= 0 && ch <= 31) {
        if (isLineBreak(ch)) {
          result += text.substring(start, pos);
          scanError = 2;
          break;
        } else {
          scanError = 6;
        }
      }
      pos++;
    }
    return result;
  }
  function scanNext() {
    value = "";
    scanError = 0;
    tokenOffset = pos;
    lineStartOffset = lineNumber;
    prevTokenLineStartOffset = tokenLineStartOffset;
    if (pos >= len) {
      tokenOffset = len;
      return token = 17;
    }
    let code = text.charCodeAt(pos);
    if (isWhiteSpace(code)) {
      do {
        pos++;
        value += String.fromCharCode(code);
        code = text.charCodeAt(pos);
      } while (isWhiteSpace(code));
      return token = 15;
    }
    if (isLineBreak(code)) {
      pos++;
      value += String.fromCharCode(code);
      if (code === 13 && text.charCodeAt(pos) === 10) {
        pos++;
        value += "\n";
      }
      lineNumber++;
      tokenLineStartOffset = pos;
      return token = 14;
    }
    switch (code) {
      // tokens: []{}:,
      case 123:
        pos++;
        return token = 1;
      case 125:
        pos++;
        return token = 2;
      case 91:
        pos++;
        return token = 3;
      case 93:
        pos++;
        return token = 4;
      case 58:
        pos++;
        return token = 6;
      case 44:
        pos++;
        return token = 5;
      // strings
      case 34:
        pos++;
        value = scanString();
        return token = 10;
      // comments
      case 47:
        const start = pos - 1;
        if (text.charCodeAt(pos + 1) === 47) {
          pos += 2;
          while (pos < len) {
            if (isLineBreak(text.charCodeAt(pos))) {
              break;
            }
            pos++;
          }
          value = text.substring(start, pos);
          return token = 12;
        }
        if (text.charCodeAt(pos + 1) === 42) {
          pos += 2;
          const safeLength = len - 1;
          let commentClosed = false;
          while (pos < safeLength) {
            const ch = text.charCodeAt(pos);
            if (ch === 42 && text.charCodeAt(pos + 1) === 47) {
              pos += 2;
              commentClosed = true;
              break;
            }
            pos++;
            if (isLineBreak(ch)) {
              if (ch === 13 && text.charCodeAt(pos) === 10) {
                pos++;
              }
              lineNumber++;
              tokenLineStartOffset = pos;
            }
          }
          if (!commentClosed) {
            pos++;
            scanError = 1;
          }
          value = text.substring(start, pos);
          return token = 13;
        }
        value += String.fromCharCode(code);
        pos++;
        return token = 16;
      // numbers
      case 45:
        value += String.fromCharCode(code);
        pos++;
        if (pos === len || !isDigit(text.charCodeAt(pos))) {
          return token = 16;
        }
      // found a minus, followed by a number so
      // we fall through to proceed with scanning
      // numbers
      case 48:
      case 49:
      case 50:
      case 51:
      case 52:
      case 53:
      case 54:
      case 55:
      case 56:
      case 57:
        value += scanNumber();
        return token = 11;
      // literals and unknown symbols
      default:
        while (pos < len && isUnknownContentCharacter(code)) {
          pos++;
          code = text.charCodeAt(pos);
        }
        if (tokenOffset !== pos) {
          value = text.substring(tokenOffset, pos);
          switch (value) {
            case "true":
              return token = 8;
            case "false":
              return token = 9;
            case "null":
              return token = 7;
          }
          return token = 16;
        }
        value += String.fromCharCode(code);
        pos++;
        return token = 16;
    }
  }
  function isUnknownContentCharacter(code) {
    if (isWhiteSpace(code) || isLineBreak(code)) {
      return false;
    }
    switch (code) {
      case 125:
      case 93:
      case 123:
      case 91:
      case 34:
      case 58:
      case 44:
      case 47:
        return false;
    }
    return true;
  }
  function scanNextNonTrivia() {
    let result;
    do {
      result = scanNext();
    } while (result >= 12 && result <= 15);
    return result;
  }
  return {
    setPosition,
    getPosition: () => pos,
    scan: ignoreTrivia ? scanNextNonTrivia : scanNext,
    getToken: () => token,
    getTokenValue: () => value,
    getTokenOffset: () => tokenOffset,
    getTokenLength: () => pos - tokenOffset,
    getTokenStartLine: () => lineStartOffset,
    getTokenStartCharacter: () => tokenOffset - prevTokenLineStartOffset,
    getTokenError: () => scanError
  };
}
function isWhiteSpace(ch) {
  return ch === 32 || ch === 9;
}
function isLineBreak(ch) {
  return ch === 10 || ch === 13;
}
function isDigit(ch) {
  return ch >= 48 && ch <= 57;
}
var CharacterCodes;
(function(CharacterCodes2) {
  CharacterCodes2[CharacterCodes2["lineFeed"] = 10] = "lineFeed";
  CharacterCodes2[CharacterCodes2["carriageReturn"] = 13] = "carriageReturn";
  CharacterCodes2[CharacterCodes2["space"] = 32] = "space";
  CharacterCodes2[CharacterCodes2["_0"] = 48] = "_0";
  CharacterCodes2[CharacterCodes2["_1"] = 49] = "_1";
  CharacterCodes2[CharacterCodes2["_2"] = 50] = "_2";
  CharacterCodes2[CharacterCodes2["_3"] = 51] = "_3";
  CharacterCodes2[CharacterCodes2["_4"] = 52] = "_4";
  CharacterCodes2[CharacterCodes2["_5"] = 53] = "_5";
  CharacterCodes2[CharacterCodes2["_6"] = 54] = "_6";
  CharacterCodes2[CharacterCodes2["_7"] = 55] = "_7";
  CharacterCodes2[CharacterCodes2["_8"] = 56] = "_8";
  CharacterCodes2[CharacterCodes2["_9"] = 57] = "_9";
  CharacterCodes2[CharacterCodes2["a"] = 97] = "a";
  CharacterCodes2[CharacterCodes2["b"] = 98] = "b";
  CharacterCodes2[CharacterCodes2["c"] = 99] = "c";
  CharacterCodes2[CharacterCodes2["d"] = 100] = "d";
  CharacterCodes2[CharacterCodes2["e"] = 101] = "e";
  CharacterCodes2[CharacterCodes2["f"] = 102] = "f";
  CharacterCodes2[CharacterCodes2["g"] = 103] = "g";
  CharacterCodes2[CharacterCodes2["h"] = 104] = "h";
  CharacterCodes2[CharacterCodes2["i"] = 105] = "i";
  CharacterCodes2[CharacterCodes2["j"] = 106] = "j";
  CharacterCodes2[CharacterCodes2["k"] = 107] = "k";
  CharacterCodes2[CharacterCodes2["l"] = 108] = "l";
  CharacterCodes2[CharacterCodes2["m"] = 109] = "m";
  CharacterCodes2[CharacterCodes2["n"] = 110] = "n";
  CharacterCodes2[CharacterCodes2["o"] = 111] = "o";
  CharacterCodes2[CharacterCodes2["p"] = 112] = "p";
  CharacterCodes2[CharacterCodes2["q"] = 113] = "q";
  CharacterCodes2[CharacterCodes2["r"] = 114] = "r";
  CharacterCodes2[CharacterCodes2["s"] = 115] = "s";
  CharacterCodes2[CharacterCodes2["t"] = 116] = "t";
  CharacterCodes2[CharacterCodes2["u"] = 117] = "u";
  CharacterCodes2[CharacterCodes2["v"] = 118] = "v";
  CharacterCodes2[CharacterCodes2["w"] = 119] = "w";
  CharacterCodes2[CharacterCodes2["x"] = 120] = "x";
  CharacterCodes2[CharacterCodes2["y"] = 121] = "y";
  CharacterCodes2[CharacterCodes2["z"] = 122] = "z";
  CharacterCodes2[CharacterCodes2["A"] = 65] = "A";
  CharacterCodes2[CharacterCodes2["B"] = 66] = "B";
  CharacterCodes2[CharacterCodes2["C"] = 67] = "C";
  CharacterCodes2[CharacterCodes2["D"] = 68] = "D";
  CharacterCodes2[CharacterCodes2["E"] = 69] = "E";
  CharacterCodes2[CharacterCodes2["F"] = 70] = "F";
  CharacterCodes2[CharacterCodes2["G"] = 71] = "G";
  CharacterCodes2[CharacterCodes2["H"] = 72] = "H";
  CharacterCodes2[CharacterCodes2["I"] = 73] = "I";
  CharacterCodes2[CharacterCodes2["J"] = 74] = "J";
  CharacterCodes2[CharacterCodes2["K"] = 75] = "K";
  CharacterCodes2[CharacterCodes2["L"] = 76] = "L";
  CharacterCodes2[CharacterCodes2["M"] = 77] = "M";
  CharacterCodes2[CharacterCodes2["N"] = 78] = "N";
  CharacterCodes2[CharacterCodes2["O"] = 79] = "O";
  CharacterCodes2[CharacterCodes2["P"] = 80] = "P";
  CharacterCodes2[CharacterCodes2["Q"] = 81] = "Q";
  CharacterCodes2[CharacterCodes2["R"] = 82] = "R";
  CharacterCodes2[CharacterCodes2["S"] = 83] = "S";
  CharacterCodes2[CharacterCodes2["T"] = 84] = "T";
  CharacterCodes2[CharacterCodes2["U"] = 85] = "U";
  CharacterCodes2[CharacterCodes2["V"] = 86] = "V";
  CharacterCodes2[CharacterCodes2["W"] = 87] = "W";
  CharacterCodes2[CharacterCodes2["X"] = 88] = "X";
  CharacterCodes2[CharacterCodes2["Y"] = 89] = "Y";
  CharacterCodes2[CharacterCodes2["Z"] = 90] = "Z";
  CharacterCodes2[CharacterCodes2["asterisk"] = 42] = "asterisk";
  CharacterCodes2[CharacterCodes2["backslash"] = 92] = "backslash";
  CharacterCodes2[CharacterCodes2["closeBrace"] = 125] = "closeBrace";
  CharacterCodes2[CharacterCodes2["closeBracket"] = 93] = "closeBracket";
  CharacterCodes2[CharacterCodes2["colon"] = 58] = "colon";
  CharacterCodes2[CharacterCodes2["comma"] = 44] = "comma";
  CharacterCodes2[CharacterCodes2["dot"] = 46] = "dot";
  CharacterCodes2[CharacterCodes2["doubleQuote"] = 34] = "doubleQuote";
  CharacterCodes2[CharacterCodes2["minus"] = 45] = "minus";
  CharacterCodes2[CharacterCodes2["openBrace"] = 123] = "openBrace";
  CharacterCodes2[CharacterCodes2["openBracket"] = 91] = "openBracket";
  CharacterCodes2[CharacterCodes2["plus"] = 43] = "plus";
  CharacterCodes2[CharacterCodes2["slash"] = 47] = "slash";
  CharacterCodes2[CharacterCodes2["formFeed"] = 12] = "formFeed";
  CharacterCodes2[CharacterCodes2["tab"] = 9] = "tab";
})(CharacterCodes || (CharacterCodes = {}));

// node_modules/jsonc-parser/lib/esm/impl/string-intern.js
var cachedSpaces = new Array(20).fill(0).map((_3, index) => {
  return " ".repeat(index);
});
var maxCachedValues = 200;
var cachedBreakLinesWithSpaces = {
  " ": {
    "\n": new Array(maxCachedValues).fill(0).map((_3, index) => {
      return "\n" + " ".repeat(index);
    }),
    "\r": new Array(maxCachedValues).fill(0).map((_3, index) => {
      return "\r" + " ".repeat(index);
    }),
    "\r\n": new Array(maxCachedValues).fill(0).map((_3, index) => {
      return "\r\n" + " ".repeat(index);
    })
  },
  "	": {
    "\n": new Array(maxCachedValues).fill(0).map((_3, index) => {
      return "\n" + "	".repeat(index);
    }),
    "\r": new Array(maxCachedValues).fill(0).map((_3, index) => {
      return "\r" + "	".repeat(index);
    }),
    "\r\n": new Array(maxCachedValues).fill(0).map((_3, index) => {
      return "\r\n" + "	".repeat(index);
    })
  }
};

// node_modules/jsonc-parser/lib/esm/impl/parser.js
var ParseOptions;
(function(ParseOptions2) {
  ParseOptions2.DEFAULT = {
    allowTrailingComma: false
  };
})(ParseOptions || (ParseOptions = {}));
function parseTree(text, errors = [], options = ParseOptions.DEFAULT) {
  let currentParent = { type: "array", offset: -1, length: -1, children: [], parent: void 0 };
  function ensurePropertyComplete(endOffset) {
    if (currentParent.type === "property") {
      currentParent.length = endOffset - currentParent.offset;
      currentParent = currentParent.parent;
    }
  }
  function onValue(valueNode) {
    currentParent.children.push(valueNode);
    return valueNode;
  }
  const visitor = {
    onObjectBegin: (offset) => {
      currentParent = onValue({ type: "object", offset, length: -1, parent: currentParent, children: [] });
    },
    onObjectProperty: (name, offset, length) => {
      currentParent = onValue({ type: "property", offset, length: -1, parent: currentParent, children: [] });
      currentParent.children.push({ type: "string", value: name, offset, length, parent: currentParent });
    },
    onObjectEnd: (offset, length) => {
      ensurePropertyComplete(offset + length);
      currentParent.length = offset + length - currentParent.offset;
      currentParent = currentParent.parent;
      ensurePropertyComplete(offset + length);
    },
    onArrayBegin: (offset, length) => {
      currentParent = onValue({ type: "array", offset, length: -1, parent: currentParent, children: [] });
    },
    onArrayEnd: (offset, length) => {
      currentParent.length = offset + length - currentParent.offset;
      currentParent = currentParent.parent;
      ensurePropertyComplete(offset + length);
    },
    onLiteralValue: (value, offset, length) => {
      onValue({ type: getNodeType(value), offset, length, parent: currentParent, value });
      ensurePropertyComplete(offset + length);
    },
    onSeparator: (sep2, offset, length) => {
      if (currentParent.type === "property") {
        if (sep2 === ":") {
          currentParent.colonOffset = offset;
        } else if (sep2 === ",") {
          ensurePropertyComplete(offset);
        }
      }
    },
    onError: (error, offset, length) => {
      errors.push({ error, offset, length });
    }
  };
  visit(text, visitor, options);
  const result = currentParent.children[0];
  if (result) {
    delete result.parent;
  }
  return result;
}
function getNodeValue(node) {
  switch (node.type) {
    case "array":
      return node.children.map(getNodeValue);
    case "object":
      const obj = /* @__PURE__ */ Object.create(null);
      for (let prop of node.children) {
        const valueNode = prop.children[1];
        if (valueNode) {
          obj[prop.children[0].value] = getNodeValue(valueNode);
        }
      }
      return obj;
    case "null":
    case "string":
    case "number":
    case "boolean":
      return node.value;
    default:
      return void 0;
  }
}
function visit(text, visitor, options = ParseOptions.DEFAULT) {
  const _scanner = createScanner(text, false);
  const _jsonPath = [];
  let suppressedCallbacks = 0;
  function toNoArgVisit(visitFunction) {
    return visitFunction ? () => suppressedCallbacks === 0 && visitFunction(_scanner.getTokenOffset(), _scanner.getTokenLength(), _scanner.getTokenStartLine(), _scanner.getTokenStartCharacter()) : () => true;
  }
  function toOneArgVisit(visitFunction) {
    return visitFunction ? (arg) => suppressedCallbacks === 0 && visitFunction(arg, _scanner.getTokenOffset(), _scanner.getTokenLength(), _scanner.getTokenStartLine(), _scanner.getTokenStartCharacter()) : () => true;
  }
  function toOneArgVisitWithPath(visitFunction) {
    return visitFunction ? (arg) => suppressedCallbacks === 0 && visitFunction(arg, _scanner.getTokenOffset(), _scanner.getTokenLength(), _scanner.getTokenStartLine(), _scanner.getTokenStartCharacter(), () => _jsonPath.slice()) : () => true;
  }
  function toBeginVisit(visitFunction) {
    return visitFunction ? () => {
      if (suppressedCallbacks > 0) {
        suppressedCallbacks++;
      } else {
        let cbReturn = visitFunction(_scanner.getTokenOffset(), _scanner.getTokenLength(), _scanner.getTokenStartLine(), _scanner.getTokenStartCharacter(), () => _jsonPath.slice());
        if (cbReturn === false) {
          suppressedCallbacks = 1;
        }
      }
    } : () => true;
  }
  function toEndVisit(visitFunction) {
    return visitFunction ? () => {
      if (suppressedCallbacks > 0) {
        suppressedCallbacks--;
      }
      if (suppressedCallbacks === 0) {
        visitFunction(_scanner.getTokenOffset(), _scanner.getTokenLength(), _scanner.getTokenStartLine(), _scanner.getTokenStartCharacter());
      }
    } : () => true;
  }
  const onObjectBegin = toBeginVisit(visitor.onObjectBegin), onObjectProperty = toOneArgVisitWithPath(visitor.onObjectProperty), onObjectEnd = toEndVisit(visitor.onObjectEnd), onArrayBegin = toBeginVisit(visitor.onArrayBegin), onArrayEnd = toEndVisit(visitor.onArrayEnd), onLiteralValue = toOneArgVisitWithPath(visitor.onLiteralValue), onSeparator = toOneArgVisit(visitor.onSeparator), onComment = toNoArgVisit(visitor.onComment), onError = toOneArgVisit(visitor.onError);
  const disallowComments = options && options.disallowComments;
  const allowTrailingComma = options && options.allowTrailingComma;
  function scanNext() {
    while (true) {
      const token = _scanner.scan();
      switch (_scanner.getTokenError()) {
        case 4:
          handleError(
            14
            /* ParseErrorCode.InvalidUnicode */
          );
          break;
        case 5:
          handleError(
            15
            /* ParseErrorCode.InvalidEscapeCharacter */
          );
          break;
        case 3:
          handleError(
            13
            /* ParseErrorCode.UnexpectedEndOfNumber */
          );
          break;
        case 1:
          if (!disallowComments) {
            handleError(
              11
              /* ParseErrorCode.UnexpectedEndOfComment */
            );
          }
          break;
        case 2:
          handleError(
            12
            /* ParseErrorCode.UnexpectedEndOfString */
          );
          break;
        case 6:
          handleError(
            16
            /* ParseErrorCode.InvalidCharacter */
          );
          break;
      }
      switch (token) {
        case 12:
        case 13:
          if (disallowComments) {
            handleError(
              10
              /* ParseErrorCode.InvalidCommentToken */
            );
          } else {
            onComment();
          }
          break;
        case 16:
          handleError(
            1
            /* ParseErrorCode.InvalidSymbol */
          );
          break;
        case 15:
        case 14:
          break;
        default:
          return token;
      }
    }
  }
  function handleError(error, skipUntilAfter = [], skipUntil = []) {
    onError(error);
    if (skipUntilAfter.length + skipUntil.length > 0) {
      let token = _scanner.getToken();
      while (token !== 17) {
        if (skipUntilAfter.indexOf(token) !== -1) {
          scanNext();
          break;
        } else if (skipUntil.indexOf(token) !== -1) {
          break;
        }
        token = scanNext();
      }
    }
  }
  function parseString(isValue) {
    const value = _scanner.getTokenValue();
    if (isValue) {
      onLiteralValue(value);
    } else {
      onObjectProperty(value);
      _jsonPath.push(value);
    }
    scanNext();
    return true;
  }
  function parseLiteral() {
    switch (_scanner.getToken()) {
      case 11:
        const tokenValue = _scanner.getTokenValue();
        let value = Number(tokenValue);
        if (isNaN(value)) {
          handleError(
            2
            /* ParseErrorCode.InvalidNumberFormat */
          );
          value = 0;
        }
        onLiteralValue(value);
        break;
      case 7:
        onLiteralValue(null);
        break;
      case 8:
        onLiteralValue(true);
        break;
      case 9:
        onLiteralValue(false);
        break;
      default:
        return false;
    }
    scanNext();
    return true;
  }
  function parseProperty() {
    if (_scanner.getToken() !== 10) {
      handleError(3, [], [
        2,
        5
        /* SyntaxKind.CommaToken */
      ]);
      return false;
    }
    parseString(false);
    if (_scanner.getToken() === 6) {
      onSeparator(":");
      scanNext();
      if (!parseValue()) {
        handleError(4, [], [
          2,
          5
          /* SyntaxKind.CommaToken */
        ]);
      }
    } else {
      handleError(5, [], [
        2,
        5
        /* SyntaxKind.CommaToken */
      ]);
    }
    _jsonPath.pop();
    return true;
  }
  function parseObject() {
    onObjectBegin();
    scanNext();
    let needsComma = false;
    while (_scanner.getToken() !== 2 && _scanner.getToken() !== 17) {
      if (_scanner.getToken() === 5) {
        if (!needsComma) {
          handleError(4, [], []);
        }
        onSeparator(",");
        scanNext();
        if (_scanner.getToken() === 2 && allowTrailingComma) {
          break;
        }
      } else if (needsComma) {
        handleError(6, [], []);
      }
      if (!parseProperty()) {
        handleError(4, [], [
          2,
          5
          /* SyntaxKind.CommaToken */
        ]);
      }
      needsComma = true;
    }
    onObjectEnd();
    if (_scanner.getToken() !== 2) {
      handleError(7, [
        2
        /* SyntaxKind.CloseBraceToken */
      ], []);
    } else {
      scanNext();
    }
    return true;
  }
  function parseArray() {
    onArrayBegin();
    scanNext();
    let isFirstElement = true;
    let needsComma = false;
    while (_scanner.getToken() !== 4 && _scanner.getToken() !== 17) {
      if (_scanner.getToken() === 5) {
        if (!needsComma) {
          handleError(4, [], []);
        }
        onSeparator(",");
        scanNext();
        if (_scanner.getToken() === 4 && allowTrailingComma) {
          break;
        }
      } else if (needsComma) {
        handleError(6, [], []);
      }
      if (isFirstElement) {
        _jsonPath.push(0);
        isFirstElement = false;
      } else {
        _jsonPath[_jsonPath.length - 1]++;
      }
      if (!parseValue()) {
        handleError(4, [], [
          4,
          5
          /* SyntaxKind.CommaToken */
        ]);
      }
      needsComma = true;
    }
    onArrayEnd();
    if (!isFirstElement) {
      _jsonPath.pop();
    }
    if (_scanner.getToken() !== 4) {
      handleError(8, [
        4
        /* SyntaxKind.CloseBracketToken */
      ], []);
    } else {
      scanNext();
    }
    return true;
  }
  function parseValue() {
    switch (_scanner.getToken()) {
      case 3:
        return parseArray();
      case 1:
        return parseObject();
      case 10:
        return parseString(true);
      default:
        return parseLiteral();
    }
  }
  scanNext();
  if (_scanner.getToken() === 17) {
    if (options.allowEmptyContent) {
      return true;
    }
    handleError(4, [], []);
    return false;
  }
  if (!parseValue()) {
    handleError(4, [], []);
    return false;
  }
  if (_scanner.getToken() !== 17) {
    handleError(9, [], []);
  }
  return true;
}
function getNodeType(value) {
  switch (typeof value) {
    case "boolean":
      return "boolean";
    case "number":
      return "number";
    case "string":
      return "string";
    case "object": {
      if (!value) {
        return "null";
      } else if (Array.isArray(value)) {
        return "array";
      }
      return "object";
    }
    default:
      return "null";
  }
}

// node_modules/jsonc-parser/lib/esm/main.js
var ScanError;
(function(ScanError2) {
  ScanError2[ScanError2["None"] = 0] = "None";
  ScanError2[ScanError2["UnexpectedEndOfComment"] = 1] = "UnexpectedEndOfComment";
  ScanError2[ScanError2["UnexpectedEndOfString"] = 2] = "UnexpectedEndOfString";
  ScanError2[ScanError2["UnexpectedEndOfNumber"] = 3] = "UnexpectedEndOfNumber";
  ScanError2[ScanError2["InvalidUnicode"] = 4] = "InvalidUnicode";
  ScanError2[ScanError2["InvalidEscapeCharacter"] = 5] = "InvalidEscapeCharacter";
  ScanError2[ScanError2["InvalidCharacter"] = 6] = "InvalidCharacter";
})(ScanError || (ScanError = {}));
var SyntaxKind;
(function(SyntaxKind2) {
  SyntaxKind2[SyntaxKind2["OpenBraceToken"] = 1] = "OpenBraceToken";
  SyntaxKind2[SyntaxKind2["CloseBraceToken"] = 2] = "CloseBraceToken";
  SyntaxKind2[SyntaxKind2["OpenBracketToken"] = 3] = "OpenBracketToken";
  SyntaxKind2[SyntaxKind2["CloseBracketToken"] = 4] = "CloseBracketToken";
  SyntaxKind2[SyntaxKind2["CommaToken"] = 5] = "CommaToken";
  SyntaxKind2[SyntaxKind2["ColonToken"] = 6] = "ColonToken";
  SyntaxKind2[SyntaxKind2["NullKeyword"] = 7] = "NullKeyword";
  SyntaxKind2[SyntaxKind2["TrueKeyword"] = 8] = "TrueKeyword";
  SyntaxKind2[SyntaxKind2["FalseKeyword"] = 9] = "FalseKeyword";
  SyntaxKind2[SyntaxKind2["StringLiteral"] = 10] = "StringLiteral";
  SyntaxKind2[SyntaxKind2["NumericLiteral"] = 11] = "NumericLiteral";
  SyntaxKind2[SyntaxKind2["LineCommentTrivia"] = 12] = "LineCommentTrivia";
  SyntaxKind2[SyntaxKind2["BlockCommentTrivia"] = 13] = "BlockCommentTrivia";
  SyntaxKind2[SyntaxKind2["LineBreakTrivia"] = 14] = "LineBreakTrivia";
  SyntaxKind2[SyntaxKind2["Trivia"] = 15] = "Trivia";
  SyntaxKind2[SyntaxKind2["Unknown"] = 16] = "Unknown";
  SyntaxKind2[SyntaxKind2["EOF"] = 17] = "EOF";
})(SyntaxKind || (SyntaxKind = {}));
var parseTree2 = parseTree;
var getNodeValue2 = getNodeValue;
var ParseErrorCode;
(function(ParseErrorCode2) {
  ParseErrorCode2[ParseErrorCode2["InvalidSymbol"] = 1] = "InvalidSymbol";
  ParseErrorCode2[ParseErrorCode2["InvalidNumberFormat"] = 2] = "InvalidNumberFormat";
  ParseErrorCode2[ParseErrorCode2["PropertyNameExpected"] = 3] = "PropertyNameExpected";
  ParseErrorCode2[ParseErrorCode2["ValueExpected"] = 4] = "ValueExpected";
  ParseErrorCode2[ParseErrorCode2["ColonExpected"] = 5] = "ColonExpected";
  ParseErrorCode2[ParseErrorCode2["CommaExpected"] = 6] = "CommaExpected";
  ParseErrorCode2[ParseErrorCode2["CloseBraceExpected"] = 7] = "CloseBraceExpected";
  ParseErrorCode2[ParseErrorCode2["CloseBracketExpected"] = 8] = "CloseBracketExpected";
  ParseErrorCode2[ParseErrorCode2["EndOfFileExpected"] = 9] = "EndOfFileExpected";
  ParseErrorCode2[ParseErrorCode2["InvalidCommentToken"] = 10] = "InvalidCommentToken";
  ParseErrorCode2[ParseErrorCode2["UnexpectedEndOfComment"] = 11] = "UnexpectedEndOfComment";
  ParseErrorCode2[ParseErrorCode2["UnexpectedEndOfString"] = 12] = "UnexpectedEndOfString";
  ParseErrorCode2[ParseErrorCode2["UnexpectedEndOfNumber"] = 13] = "UnexpectedEndOfNumber";
  ParseErrorCode2[ParseErrorCode2["InvalidUnicode"] = 14] = "InvalidUnicode";
  ParseErrorCode2[ParseErrorCode2["InvalidEscapeCharacter"] = 15] = "InvalidEscapeCharacter";
  ParseErrorCode2[ParseErrorCode2["InvalidCharacter"] = 16] = "InvalidCharacter";
})(ParseErrorCode || (ParseErrorCode = {}));

// src/json-source.ts
var JsonSource = class {
  text;
  path;
  lineStarts;
  constructor(text, path) {
    this.text = text;
    this.path = path;
    this.lineStarts = [0];
    for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) this.lineStarts.push(i + 1);
  }
  /** 1-based line and column (in UTF-16 code units, as editors count) of an offset. */
  position(offset) {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = low + high + 1 >> 1;
      if (this.lineStarts[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - this.lineStarts[low] + 1 };
  }
  issue(at2, problem) {
    const { line, column } = this.position(typeof at2 === "number" ? at2 : at2.offset);
    const issue = { path: this.path, line, column, message: problem.message };
    if (problem.hint !== void 0) issue.hint = problem.hint;
    return issue;
  }
};
var PARSE_ERRORS = {
  1: "unexpected character",
  2: "invalid number",
  3: "expected a property name in double quotes",
  4: "expected a value",
  5: 'expected ":" after the property name',
  6: 'expected "," between entries',
  7: 'expected "}" to close the object',
  8: 'expected "]" to close the array',
  9: "unexpected content after the end of the JSON value",
  10: "comments are not allowed in JSON",
  11: "unterminated comment",
  12: "unterminated string",
  13: "incomplete number",
  14: "invalid unicode escape",
  15: "invalid escape character in string",
  16: "invalid character in string (control characters must be escaped)"
};
function parseJsonSource(text, path) {
  const source = new JsonSource(text, path);
  const skip = text.startsWith("\uFEFF") ? 1 : 0;
  const errors = [];
  const parsed = parseTree2(skip ? text.slice(1) : text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  if (first === void 0) return { source, root: parsed, issues: [] };
  const offset = first.offset + skip;
  return { source, root: void 0, issues: [source.issue(offset, syntaxProblem(text, offset, first.error))] };
}
function syntaxProblem(text, offset, code) {
  const closing = text[offset] === "}" || text[offset] === "]";
  if ((code === 3 || code === 4) && closing && /,\s*$/.test(text.slice(0, offset))) {
    return { message: "invalid JSON: trailing comma", hint: "Remove the comma before the closing bracket." };
  }
  if (code === 4 && text.slice(offset).trim() === "") {
    return { message: "invalid JSON: the file ends where a value is expected", hint: "Write a JSON object, e.g. {}." };
  }
  return { message: `invalid JSON: ${PARSE_ERRORS[code] ?? "syntax error"}`, hint: "Fix the syntax; deptool reads strict JSON." };
}
function describeNode(node) {
  switch (node.type) {
    case "object":
      return "an object";
    case "array":
      return "an array";
    case "string":
      return `the string ${JSON.stringify(node.value)}`;
    case "number":
      return `the number ${String(node.value)}`;
    case "boolean":
      return String(node.value);
    default:
      return "null";
  }
}
function childPath(parent, key) {
  if (typeof key === "number") return `${parent}[${key}]`;
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return parent === "" ? key : `${parent}.${key}`;
  return `${parent}[${JSON.stringify(key)}]`;
}
function properties(node) {
  const pairs = [];
  for (const property of node.children ?? []) {
    const [key, value] = property.children ?? [];
    if (key !== void 0 && value !== void 0) pairs.push([key, value]);
  }
  return pairs;
}
function member(node, key) {
  if (node?.type !== "object") return void 0;
  return properties(node).find(([k2]) => k2.value === key)?.[1];
}
function validateJson(node, schema, source, where = "") {
  const name = where === "" ? "the top level" : `\`${where}\``;
  const mismatch = (expected) => [
    source.issue(node, { message: `${name} must be ${expected}, not ${describeNode(node)}`, hint: `Change it to ${expected}.` })
  ];
  switch (schema.type) {
    case "string": {
      if (node.type !== "string") return mismatch("a string");
      const problem = schema.check?.(node.value);
      return problem ? [source.issue(node, problem)] : [];
    }
    case "integer": {
      const value = node.value;
      if (node.type !== "number" || !Number.isInteger(value) || value < schema.min || value > schema.max) {
        return mismatch(`an integer from ${schema.min} to ${schema.max}`);
      }
      return [];
    }
    case "enum":
      if (node.type !== "string" || !schema.values.includes(node.value)) {
        return mismatch(`one of ${schema.values.map((v2) => JSON.stringify(v2)).join(", ")}`);
      }
      return [];
    case "array":
      if (node.type !== "array") return mismatch("an array");
      return (node.children ?? []).flatMap((item, i) => validateJson(item, schema.items, source, childPath(where, i)));
    case "object":
      if (node.type !== "object") return mismatch("an object");
      return validateObject(node, schema, source, where);
    case "map": {
      if (node.type !== "object") return mismatch("an object");
      const issues = duplicateKeys(node, source, where);
      for (const [key, value] of properties(node)) {
        const problem = schema.keys?.(key.value);
        if (problem) issues.push(source.issue(key, problem));
        issues.push(...validateJson(value, schema.values, source, childPath(where, key.value)));
      }
      return issues;
    }
  }
}
function validateObject(node, schema, source, where) {
  const issues = duplicateKeys(node, source, where);
  const known = Object.keys(schema.fields);
  for (const [key, value] of properties(node)) {
    const name = key.value;
    const field = Object.hasOwn(schema.fields, name) ? schema.fields[name] : void 0;
    if (field !== void 0) {
      issues.push(...validateJson(value, field, source, childPath(where, name)));
      continue;
    }
    const inside = where === "" ? "at the top level" : `in \`${where}\``;
    const misplaced = schema.misplaced && Object.hasOwn(schema.misplaced, name) ? schema.misplaced[name] : void 0;
    if (misplaced !== void 0) {
      issues.push(source.issue(key, { message: `\`${name}\` is not allowed ${inside}`, hint: misplaced }));
      continue;
    }
    const guess = didYouMean(name, known);
    const allowed = known.length === 0 ? "No keys are allowed here." : `Allowed keys: ${known.join(", ")}.`;
    issues.push(
      source.issue(key, {
        message: `unknown key ${JSON.stringify(name)} ${inside}`,
        hint: guess === void 0 ? `Remove it. ${allowed}` : `Did you mean ${JSON.stringify(guess)}? ${allowed}`
      })
    );
  }
  return issues;
}
function duplicateKeys(node, source, where) {
  const issues = [];
  const seen = /* @__PURE__ */ new Map();
  for (const [key] of properties(node)) {
    const name = key.value;
    const first = seen.get(name);
    if (first === void 0) {
      seen.set(name, key);
      continue;
    }
    const { line, column } = source.position(first.offset);
    const inside = where === "" ? "" : ` in \`${where}\``;
    issues.push(
      source.issue(key, {
        message: `duplicate key ${JSON.stringify(name)}${inside} (first at line ${line}, column ${column})`,
        hint: "Keep only one of them; JSON readers disagree about which one wins."
      })
    );
  }
  return issues;
}
function didYouMean(word2, candidates) {
  const fold = (s) => s.toLowerCase().replace(/[-_.]/g, "");
  let best;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (fold(candidate) === fold(word2)) return candidate;
    const distance = editDistance(word2.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(1, Math.floor(word2.length / 3)) ? best : void 0;
}
function editDistance(a, b3) {
  const rows = Array.from({ length: a.length + 1 }, (_3, i) => [i]);
  for (let j3 = 1; j3 <= b3.length; j3++) rows[0][j3] = j3;
  for (let i = 1; i <= a.length; i++) {
    for (let j3 = 1; j3 <= b3.length; j3++) {
      const cost = a[i - 1] === b3[j3 - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1][j3] + 1, rows[i][j3 - 1] + 1, rows[i - 1][j3 - 1] + cost);
      if (i > 1 && j3 > 1 && a[i - 1] === b3[j3 - 2] && a[i - 2] === b3[j3 - 1]) best = Math.min(best, rows[i - 2][j3 - 2] + 1);
      rows[i][j3] = best;
    }
  }
  return rows[a.length][b3.length];
}

// src/tree/names.ts
var NAME = /^[A-Za-z0-9._-]+$/;
function validateName(name, kind, path) {
  const problem = nameProblem(name, kind);
  return problem === void 0 ? void 0 : { path, ...problem };
}
function nameProblem(name, kind) {
  if (name.startsWith(".")) {
    return {
      message: `hidden directory: ${kind === "app" ? "an" : "a"} ${kind} name may not start with "."`,
      hint: `Hidden directories are never ${kind}s; move it out of the config tree or rename it.`
    };
  }
  if (!NAME.test(name)) {
    return {
      message: `invalid ${kind} name ${JSON.stringify(name)}: only letters, digits, ".", "_" and "-" are allowed`,
      hint: kind === "host" ? "Rename the directory; set the real address in deptool.json if it differs." : "Rename the directory."
    };
  }
  if (name.startsWith("-")) {
    return { message: `invalid ${kind} name ${JSON.stringify(name)}: it may not start with "-"`, hint: "Rename the directory." };
  }
  return void 0;
}
function entryNameProblem(name, inSystemdDir) {
  if (name.includes("\uFFFD")) {
    return { message: "file name is not valid UTF-8", hint: "Rename it using UTF-8 characters only." };
  }
  if (hasControlCharacter(name)) {
    return { message: "file name contains a control character", hint: "Rename it without control characters (newlines, tabs, escapes)." };
  }
  if (name.includes("\\") && !inSystemdDir) {
    return { message: "file name contains a backslash", hint: 'Rename it without "\\".' };
  }
  return void 0;
}
function hasControlCharacter(text) {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 32 || code === 127) return true;
  }
  return false;
}

// src/tree/types.ts
var EMPTY_MANIFEST = { unitsEnabled: [], symlinks: /* @__PURE__ */ new Map() };
function appLinks(files) {
  const units = [];
  const dropIns = [];
  const sysusers = [];
  for (const path of files) {
    const parts = path.split("/");
    if (parts[0] === "systemd" && parts.length === 2) units.push(parts[1]);
    else if (parts[0] === "systemd" && parts.length === 3) dropIns.push(`${parts[1]}/${parts[2]}`);
    else if (parts[0] === "sysusers" && parts.length === 2) sysusers.push(parts[1]);
  }
  const byBytes2 = (a, b3) => a < b3 ? -1 : a > b3 ? 1 : 0;
  return { units: units.sort(byBytes2), dropIns: dropIns.sort(byBytes2), sysusers: sysusers.sort(byBytes2) };
}

// src/tree/validate.ts
var UNIT_TYPES = ["service", "socket", "timer", "target", "path", "mount", "automount", "swap", "slice", "device"];
var UNIT_NAME = new RegExp(`^[A-Za-z0-9:_.\\\\-]+(@[A-Za-z0-9:_.\\\\@-]*)?\\.(${UNIT_TYPES.join("|")})$`);
var UNIT_NAME_MAX = 255;
function isUnitName(name) {
  return name.length <= UNIT_NAME_MAX && UNIT_NAME.test(name);
}
function unitInstance(name) {
  const match = /^([^@]+)@(.+)\.([a-z]+)$/.exec(name);
  if (match === null || !isUnitName(name)) return null;
  return { template: `${match[1]}@.${match[3]}`, instance: match[2] };
}
var UNIT_HINT = `Unit files are named <name>.<type> with type one of ${UNIT_TYPES.join(", ")}; other files belong outside systemd/.`;
function checkAppLayout(paths, at2) {
  const issues = [];
  const reportedDirs = /* @__PURE__ */ new Set();
  const dirIssue = (dir, message, hint) => {
    if (reportedDirs.has(dir)) return;
    reportedDirs.add(dir);
    issues.push({ path: at2(dir), message, hint });
  };
  for (const path of paths) {
    const parts = path.split("/");
    const [top, second, third] = parts;
    if (top === "systemd") {
      if (second === void 0) {
        issues.push({ path: at2(path), message: "systemd is a file, but systemd/ is the directory of unit files", hint: "Rename the file, or make systemd/ a directory of unit files." });
      } else if (third === void 0) {
        if (!isUnitName(second)) issues.push({ path: at2(path), message: `${JSON.stringify(second)} is not a systemd unit file name`, hint: UNIT_HINT });
      } else if (!second.endsWith(".d") || !isUnitName(second.slice(0, -2))) {
        dirIssue(`systemd/${second}`, "directory in systemd/ is not a drop-in directory", "Only drop-in directories named <unit>.d (e.g. caddy.service.d) may be inside systemd/.");
      } else if (parts.length > 3) {
        dirIssue(`systemd/${second}/${third}`, "drop-in directories may not contain subdirectories", `Put the *.conf files directly in systemd/${second}/.`);
      } else if (!isConfName(third)) {
        issues.push({ path: at2(path), message: "drop-in file name does not end in .conf", hint: "systemd only reads *.conf files in drop-in directories; rename it or move it out of systemd/." });
      }
    } else if (top === "sysusers") {
      if (second === void 0) {
        issues.push({ path: at2(path), message: "sysusers is a file, but sysusers/ is the directory of sysusers.d files", hint: "Rename the file, or make sysusers/ a directory of *.conf files." });
      } else if (third !== void 0) {
        dirIssue(`sysusers/${second}`, "sysusers/ may not contain directories", "Put the *.conf files directly in sysusers/.");
      } else if (!isConfName(second)) {
        issues.push({ path: at2(path), message: "sysusers file name does not end in .conf", hint: "systemd-sysusers only reads *.conf files; rename it or move it out of sysusers/." });
      }
    }
  }
  return issues;
}
function isConfName(name) {
  return name.length > ".conf".length && name.endsWith(".conf");
}
function checkHostConflicts(apps) {
  const issues = [];
  const owners = /* @__PURE__ */ new Map();
  const claim = (key, what, app, path) => {
    const first = owners.get(key);
    if (first === void 0) {
      owners.set(key, { app, path });
      return;
    }
    issues.push({
      path: app.at(path),
      message: `${what} is provided by both app "${first.app.name}" (${first.app.at(first.path)}) and app "${app.name}"`,
      hint: "Keep it in one of the two apps; every file on a host belongs to a single app."
    });
  };
  for (const app of apps) {
    const links = appLinks(app.files);
    for (const unit of links.units) claim(`unit ${unit}`, `unit ${unit}`, app, `systemd/${unit}`);
    for (const dropIn of links.dropIns) claim(`drop-in ${dropIn}`, `drop-in ${dropIn}`, app, `systemd/${dropIn}`);
    for (const file of links.sysusers) claim(`sysusers ${file}`, `sysusers file ${file}`, app, `sysusers/${file}`);
  }
  issues.push(...symlinkConflicts(apps));
  return issues;
}
function symlinkConflicts(apps) {
  const issues = [];
  const targets = /* @__PURE__ */ new Map();
  const located = (app, target, message, hint) => ({
    path: app.at("manifest.json"),
    ...app.targetPositions.get(target),
    message,
    hint
  });
  for (const app of apps) {
    for (const target of app.manifest.symlinks.keys()) {
      const first = targets.get(target);
      if (first === void 0) targets.set(target, app);
      else {
        issues.push(
          located(app, target, `symlink target ${target} is claimed by both app "${first.name}" (${first.at("manifest.json")}) and app "${app.name}"`, "Keep the link in one of the two apps.")
        );
      }
    }
  }
  for (const [target, app] of targets) {
    for (let cut = target.lastIndexOf("/"); cut > 0; cut = target.lastIndexOf("/", cut - 1)) {
      const outer = target.slice(0, cut);
      const owner = targets.get(outer);
      if (owner === void 0) continue;
      const whose = owner === app ? "the same app" : `app "${owner.name}" (${owner.at("manifest.json")})`;
      issues.push(
        located(app, target, `symlink target ${target} of app "${app.name}" is inside symlink target ${outer} of ${whose}`, `A link inside another link would write into the linked directory; link only ${outer}, or pick a target outside it.`)
      );
    }
  }
  return issues;
}

// src/tree/manifest.ts
var RESERVED_TARGETS = [
  {
    dir: "/var/lib/deptool",
    message: "is inside /var/lib/deptool, which deptool manages itself",
    hint: "Choose a target outside /var/lib/deptool."
  },
  {
    dir: "/etc/systemd/system",
    message: "is inside /etc/systemd/system",
    hint: "Put unit files and drop-ins in the app's systemd/ directory; deptool links them into /etc/systemd/system."
  },
  {
    dir: "/etc/sysusers.d",
    message: "is inside /etc/sysusers.d",
    hint: "Put sysusers files in the app's sysusers/ directory; deptool links them into /etc/sysusers.d."
  }
];
function parseManifest(text, displayPath3, appFiles) {
  const { source, root, issues } = parseJsonSource(text, displayPath3);
  const targetPositions = /* @__PURE__ */ new Map();
  if (root === void 0) return { manifest: { unitsEnabled: [], symlinks: /* @__PURE__ */ new Map() }, issues, targetPositions };
  issues.push(...validateJson(root, manifestSchema(appFiles), source));
  const unitsEnabled = [];
  const unitsNode = member(member(root, "systemd"), "units_enabled");
  const firstSeen = /* @__PURE__ */ new Map();
  for (const item of unitsNode?.type === "array" ? unitsNode.children ?? [] : []) {
    if (item.type !== "string") continue;
    const unit = item.value;
    const first = firstSeen.get(unit);
    if (first === void 0) {
      firstSeen.set(unit, item);
      unitsEnabled.push(unit);
      continue;
    }
    const { line, column } = source.position(first.offset);
    issues.push(
      source.issue(item, {
        message: `${unit} is listed twice in \`systemd.units_enabled\` (first at line ${line}, column ${column})`,
        hint: "Remove the duplicate."
      })
    );
  }
  const symlinks = /* @__PURE__ */ new Map();
  const symlinksNode = member(root, "symlinks");
  for (const [key, value] of symlinksNode?.type === "object" ? properties(symlinksNode) : []) {
    if (value.type !== "string") continue;
    const target = key.value;
    if (!targetPositions.has(target)) targetPositions.set(target, source.position(key.offset));
    symlinks.set(target, value.value);
  }
  return { manifest: { unitsEnabled, symlinks }, issues, targetPositions };
}
function manifestSchema(appFiles) {
  return {
    type: "object",
    fields: {
      systemd: {
        type: "object",
        fields: { units_enabled: { type: "array", items: { type: "string", check: (unit) => checkEnabledUnit(unit, appFiles) } } }
      },
      symlinks: {
        type: "map",
        keys: checkTarget,
        values: { type: "string", check: (source) => checkSource(source, appFiles) }
      }
    }
  };
}
function checkEnabledUnit(unit, appFiles) {
  if (isUnitName(unit) && appFiles.has(`systemd/${unit}`)) return void 0;
  const instance = unitInstance(unit);
  if (instance !== null && appFiles.has(`systemd/${instance.template}`)) return void 0;
  const units = [...appFiles].filter((path) => /^systemd\/[^/]+$/.test(path)).map((path) => path.slice("systemd/".length));
  const guess = didYouMean(unit, units);
  const message = instance === null ? `${JSON.stringify(unit)} in \`systemd.units_enabled\` is not a unit file in the app's systemd/ directory` : `${JSON.stringify(unit)} in \`systemd.units_enabled\` is an instance of ${instance.template}, which is not in the app's systemd/ directory`;
  const hint = guess !== void 0 ? `Did you mean ${JSON.stringify(guess)}?` : `Add systemd/${instance?.template ?? unit} to the app, or remove the entry.${units.length > 0 ? ` Units in this app: ${units.join(", ")}.` : ""}`;
  return { message, hint };
}
function checkTarget(target) {
  const name = `symlink target ${JSON.stringify(target)}`;
  if (hasControlCharacter(target)) return { message: `${name} contains a control character`, hint: "Remove it from the path." };
  if (!target.startsWith("/")) return { message: `${name} is not an absolute path`, hint: 'Targets are paths on the host; start it with "/".' };
  const normal = normalise(target);
  if (normal === "/") return { message: `${name} is the root directory`, hint: 'Link a path below "/".' };
  if (normal !== target) return { message: `${name} is not normalised`, hint: `Write it as ${JSON.stringify(normal)}.` };
  for (const reserved of RESERVED_TARGETS) {
    if (target === reserved.dir || target.startsWith(`${reserved.dir}/`)) {
      return { message: `${name} ${reserved.message}`, hint: reserved.hint };
    }
  }
  return void 0;
}
function checkSource(source, appFiles) {
  const name = `symlink source ${JSON.stringify(source)}`;
  if (hasControlCharacter(source)) return { message: `${name} contains a control character`, hint: "Remove it from the path." };
  if (source.startsWith("/")) {
    return { message: `${name} is an absolute path`, hint: 'Sources are paths relative to the app directory, e.g. "tmpfiles.conf".' };
  }
  const normal = normalise(source);
  if (normal === ".." || normal.startsWith("../")) {
    return { message: `${name} points outside the app`, hint: "Sources must be files or directories inside the app." };
  }
  if (normal === ".") return { message: `${name} is the app directory itself`, hint: "Name a file or directory inside the app." };
  if (normal !== source) return { message: `${name} is not normalised`, hint: `Write it as ${JSON.stringify(normal)}.` };
  if (appFiles.has(source)) return void 0;
  const prefix = `${source}/`;
  for (const file of appFiles) if (file.startsWith(prefix)) return void 0;
  const guess = didYouMean(source, appFiles);
  return {
    message: `${name} does not exist in the app`,
    hint: guess === void 0 ? "Add the file to the app, or fix the path (empty directories do not count)." : `Did you mean ${JSON.stringify(guess)}?`
  };
}
function normalise(path) {
  const normal = posix.normalize(path);
  return normal.length > 1 && normal.endsWith("/") ? normal.slice(0, -1) : normal;
}

// src/plan/load.ts
async function loadDeployed(store, stored) {
  const manifestOids = [];
  for (const apps of stored.values()) {
    for (const app of apps.values()) {
      const manifest = app.files.get("manifest.json");
      if (manifest) manifestOids.push(manifest.oid);
    }
  }
  const blobs = await store.readBlobs(manifestOids);
  const issues = [];
  const hosts = /* @__PURE__ */ new Map();
  for (const [host, apps] of stored) {
    const snapshots = /* @__PURE__ */ new Map();
    for (const [name, app] of apps) {
      const entry = app.files.get("manifest.json");
      let manifest = EMPTY_MANIFEST;
      if (entry) {
        const parsed = parseManifest(blobs.get(entry.oid).toString("utf8"), `store:${host}/${name}/manifest.json`, new Set(app.files.keys()));
        issues.push(...parsed.issues);
        manifest = parsed.manifest;
      }
      snapshots.set(name, { name, files: app.files, manifest, treeOid: app.treeOid });
    }
    hosts.set(host, { name: host, apps: snapshots });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return hosts;
}
function contentKey(host, app, path) {
  return `${host}\0${app}\0${path}`;
}
async function loadPlanContents(plan, tree, store) {
  const oldOids = /* @__PURE__ */ new Set();
  const newReads = [];
  const contents = /* @__PURE__ */ new Map();
  for (const host of plan.hosts) {
    for (const app of host.apps) {
      for (const file of app.files) {
        const slot = { old: null, new: null };
        contents.set(contentKey(host.host, app.app, file.path), slot);
        if (file.old) oldOids.add(file.old.oid);
        if (file.new) {
          newReads.push(
            readFile(join(tree.dir, host.host, app.app, file.path)).then((data) => {
              slot.new = data;
            })
          );
        }
      }
    }
  }
  const [blobs] = await Promise.all([store.readBlobs(oldOids), ...newReads]);
  for (const host of plan.hosts) {
    for (const app of host.apps) {
      for (const file of app.files) {
        if (file.old) contents.get(contentKey(host.host, app.app, file.path)).old = blobs.get(file.old.oid) ?? null;
      }
    }
  }
  return {
    get(host, app, path) {
      return contents.get(contentKey(host, app, path)) ?? { old: null, new: null };
    }
  };
}

// src/render/text.ts
var paint = (code) => (enabled, text) => enabled ? `\x1B[${code}m${text}\x1B[0m` : text;
var red = paint(31);
var green = paint(32);
var yellow = paint(33);
var bold = paint(1);
var APP_INDENT = "    ";
var ITEM_INDENT = "        ";
function appLines(app, color) {
  const marks = { add: green(color, "+"), modify: yellow(color, "~"), remove: red(color, "-") };
  const lines = [`${APP_INDENT}${app.action} ${app.app}`];
  const item = (text) => lines.push(`${ITEM_INDENT}${text}`);
  for (const file of app.files) item(`${marks[file.change]} ${file.path}`);
  for (const link of app.symlinks) {
    item(link.change === "link" ? `link ${link.target} -> ${link.source}` : `unlink ${link.target}`);
  }
  for (const file of app.sysusers.unlink) item(`unlink sysusers ${file}`);
  for (const file of app.sysusers.link) item(`link sysusers ${file}`);
  for (const unit of app.units.disable) item(`disable unit ${unit}`);
  for (const unit of app.units.unlink) item(`unlink unit ${unit}`);
  for (const unit of app.units.link) item(`link unit ${unit}`);
  for (const unit of app.units.enable) item(`enable unit ${unit}`);
  for (const unit of app.units.restart) item(`restart unit ${unit}`);
  return lines;
}
function hostLines(host, color) {
  const title = host.rollback.available ? bold(color, host.host) : `${bold(color, host.host)} ${red(color, "(rollback unavailable)")}`;
  return [title, ...host.apps.flatMap((app) => appLines(app, color))];
}
function upToDateLine(cluster) {
  return `All hosts in cluster '${cluster}' are up to date.`;
}
function renderText(plan, options) {
  const notes = plan.untracked.map(
    (host) => `Note: host '${host}' is in the store but not in the config tree; deptool leaves it alone.`
  );
  if (plan.hosts.length === 0) return [upToDateLine(plan.cluster), ...notes].join("\n") + "\n";
  const footer = plan.hosts.every((h3) => h3.rollback.available) ? "Auto-rollback if deploy fails." : "Rollback unavailable for some hosts.";
  return [...plan.hosts.flatMap((h3) => hostLines(h3, options.color)), "", footer, ...notes].join("\n") + "\n";
}

// node_modules/diff/libesm/diff/base.js
var Diff = class {
  diff(oldStr, newStr, options = {}) {
    let callback;
    if (typeof options === "function") {
      callback = options;
      options = {};
    } else if ("callback" in options) {
      callback = options.callback;
    }
    const oldString = this.castInput(oldStr, options);
    const newString = this.castInput(newStr, options);
    const oldTokens = this.removeEmpty(this.tokenize(oldString, options));
    const newTokens = this.removeEmpty(this.tokenize(newString, options));
    return this.diffWithOptionsObj(oldTokens, newTokens, options, callback);
  }
  diffWithOptionsObj(oldTokens, newTokens, options, callback) {
    var _a;
    const done = (value) => {
      value = this.postProcess(value, options);
      if (callback) {
        setTimeout(function() {
          callback(value);
        }, 0);
        return void 0;
      } else {
        return value;
      }
    };
    const newLen = newTokens.length, oldLen = oldTokens.length;
    let editLength = 1;
    let maxEditLength = newLen + oldLen;
    if (options.maxEditLength != null) {
      maxEditLength = Math.min(maxEditLength, options.maxEditLength);
    }
    const maxExecutionTime = (_a = options.timeout) !== null && _a !== void 0 ? _a : Infinity;
    const abortAfterTimestamp = Date.now() + maxExecutionTime;
    const bestPath = [{ oldPos: -1, lastComponent: void 0 }];
    let newPos = this.extractCommon(bestPath[0], newTokens, oldTokens, 0, options);
    if (bestPath[0].oldPos + 1 >= oldLen && newPos + 1 >= newLen) {
      return done(this.buildValues(bestPath[0].lastComponent, newTokens, oldTokens));
    }
    let minDiagonalToConsider = -Infinity, maxDiagonalToConsider = Infinity;
    const execEditLength = () => {
      for (let diagonalPath = Math.max(minDiagonalToConsider, -editLength); diagonalPath <= Math.min(maxDiagonalToConsider, editLength); diagonalPath += 2) {
        let basePath;
        const removePath = bestPath[diagonalPath - 1], addPath = bestPath[diagonalPath + 1];
        if (removePath) {
          bestPath[diagonalPath - 1] = void 0;
        }
        let canAdd = false;
        if (addPath) {
          const addPathNewPos = addPath.oldPos - diagonalPath;
          canAdd = addPath && 0 <= addPathNewPos && addPathNewPos < newLen;
        }
        const canRemove = removePath && removePath.oldPos + 1 < oldLen;
        if (!canAdd && !canRemove) {
          bestPath[diagonalPath] = void 0;
          continue;
        }
        if (!canRemove || canAdd && removePath.oldPos < addPath.oldPos) {
          basePath = this.addToPath(addPath, true, false, 0, options);
        } else {
          basePath = this.addToPath(removePath, false, true, 1, options);
        }
        newPos = this.extractCommon(basePath, newTokens, oldTokens, diagonalPath, options);
        if (basePath.oldPos + 1 >= oldLen && newPos + 1 >= newLen) {
          return done(this.buildValues(basePath.lastComponent, newTokens, oldTokens)) || true;
        } else {
          bestPath[diagonalPath] = basePath;
          if (basePath.oldPos + 1 >= oldLen) {
            maxDiagonalToConsider = Math.min(maxDiagonalToConsider, diagonalPath - 1);
          }
          if (newPos + 1 >= newLen) {
            minDiagonalToConsider = Math.max(minDiagonalToConsider, diagonalPath + 1);
          }
        }
      }
      editLength++;
    };
    if (callback) {
      (function exec() {
        setTimeout(function() {
          if (editLength > maxEditLength || Date.now() > abortAfterTimestamp) {
            return callback(void 0);
          }
          if (!execEditLength()) {
            exec();
          }
        }, 0);
      })();
    } else {
      while (editLength <= maxEditLength && Date.now() <= abortAfterTimestamp) {
        const ret = execEditLength();
        if (ret) {
          return ret;
        }
      }
    }
  }
  addToPath(path, added, removed, oldPosInc, options) {
    const last = path.lastComponent;
    if (last && !options.oneChangePerToken && last.added === added && last.removed === removed) {
      return {
        oldPos: path.oldPos + oldPosInc,
        lastComponent: { count: last.count + 1, added, removed, previousComponent: last.previousComponent }
      };
    } else {
      return {
        oldPos: path.oldPos + oldPosInc,
        lastComponent: { count: 1, added, removed, previousComponent: last }
      };
    }
  }
  extractCommon(basePath, newTokens, oldTokens, diagonalPath, options) {
    const newLen = newTokens.length, oldLen = oldTokens.length;
    let oldPos = basePath.oldPos, newPos = oldPos - diagonalPath, commonCount = 0;
    while (newPos + 1 < newLen && oldPos + 1 < oldLen && this.equals(oldTokens[oldPos + 1], newTokens[newPos + 1], options)) {
      newPos++;
      oldPos++;
      commonCount++;
      if (options.oneChangePerToken) {
        basePath.lastComponent = { count: 1, previousComponent: basePath.lastComponent, added: false, removed: false };
      }
    }
    if (commonCount && !options.oneChangePerToken) {
      basePath.lastComponent = { count: commonCount, previousComponent: basePath.lastComponent, added: false, removed: false };
    }
    basePath.oldPos = oldPos;
    return newPos;
  }
  equals(left, right, options) {
    if (options.comparator) {
      return options.comparator(left, right);
    } else {
      return left === right || !!options.ignoreCase && left.toLowerCase() === right.toLowerCase();
    }
  }
  removeEmpty(array) {
    const ret = [];
    for (let i = 0; i < array.length; i++) {
      if (array[i]) {
        ret.push(array[i]);
      }
    }
    return ret;
  }
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  castInput(value, options) {
    return value;
  }
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  tokenize(value, options) {
    return Array.from(value);
  }
  join(chars) {
    return chars.join("");
  }
  postProcess(changeObjects, options) {
    return changeObjects;
  }
  get useLongestToken() {
    return false;
  }
  buildValues(lastComponent, newTokens, oldTokens) {
    const components = [];
    let nextComponent;
    while (lastComponent) {
      components.push(lastComponent);
      nextComponent = lastComponent.previousComponent;
      delete lastComponent.previousComponent;
      lastComponent = nextComponent;
    }
    components.reverse();
    const componentLen = components.length;
    let componentPos = 0, newPos = 0, oldPos = 0;
    for (; componentPos < componentLen; componentPos++) {
      const component = components[componentPos];
      if (!component.removed) {
        if (!component.added && this.useLongestToken) {
          let value = newTokens.slice(newPos, newPos + component.count);
          value = value.map(function(value2, i) {
            const oldValue = oldTokens[oldPos + i];
            return oldValue.length > value2.length ? oldValue : value2;
          });
          component.value = this.join(value);
        } else {
          component.value = this.join(newTokens.slice(newPos, newPos + component.count));
        }
        newPos += component.count;
        if (!component.added) {
          oldPos += component.count;
        }
      } else {
        component.value = this.join(oldTokens.slice(oldPos, oldPos + component.count));
        oldPos += component.count;
      }
    }
    return components;
  }
};

// node_modules/diff/libesm/diff/line.js
var LineDiff = class extends Diff {
  constructor() {
    super(...arguments);
    this.tokenize = tokenize;
  }
  equals(left, right, options) {
    if (options.ignoreWhitespace) {
      if (!options.newlineIsToken || !left.includes("\n")) {
        left = left.trim();
      }
      if (!options.newlineIsToken || !right.includes("\n")) {
        right = right.trim();
      }
    } else if (options.ignoreNewlineAtEof && !options.newlineIsToken) {
      if (left.endsWith("\n")) {
        left = left.slice(0, -1);
      }
      if (right.endsWith("\n")) {
        right = right.slice(0, -1);
      }
    }
    return super.equals(left, right, options);
  }
};
var lineDiff = new LineDiff();
function diffLines(oldStr, newStr, options) {
  return lineDiff.diff(oldStr, newStr, options);
}
function tokenize(value, options) {
  if (options.stripTrailingCr) {
    value = value.replace(/\r\n/g, "\n");
  }
  const retLines = [], linesAndNewlines = value.split(/(\n|\r\n)/);
  if (!linesAndNewlines[linesAndNewlines.length - 1]) {
    linesAndNewlines.pop();
  }
  for (let i = 0; i < linesAndNewlines.length; i++) {
    const line = linesAndNewlines[i];
    if (i % 2 && !options.newlineIsToken) {
      retLines[retLines.length - 1] += line;
    } else {
      retLines.push(line);
    }
  }
  return retLines;
}

// node_modules/diff/libesm/patch/create.js
function structuredPatch(oldFileName, newFileName, oldStr, newStr, oldHeader, newHeader, options) {
  let optionsObj;
  if (!options) {
    optionsObj = {};
  } else if (typeof options === "function") {
    optionsObj = { callback: options };
  } else {
    optionsObj = options;
  }
  if (typeof optionsObj.context === "undefined") {
    optionsObj.context = 4;
  }
  const context = optionsObj.context;
  if (optionsObj.newlineIsToken) {
    throw new Error("newlineIsToken may not be used with patch-generation functions, only with diffing functions");
  }
  if (!optionsObj.callback) {
    return diffLinesResultToPatch(diffLines(oldStr, newStr, optionsObj));
  } else {
    const { callback } = optionsObj;
    diffLines(oldStr, newStr, Object.assign(Object.assign({}, optionsObj), { callback: (diff) => {
      const patch = diffLinesResultToPatch(diff);
      callback(patch);
    } }));
  }
  function diffLinesResultToPatch(diff) {
    if (!diff) {
      return;
    }
    diff.push({ value: "", lines: [] });
    function contextLines(lines) {
      return lines.map(function(entry) {
        return " " + entry;
      });
    }
    const hunks = [];
    let oldRangeStart = 0, newRangeStart = 0, curRange = [], oldLine = 1, newLine = 1;
    for (let i = 0; i < diff.length; i++) {
      const current = diff[i], lines = current.lines || splitLines(current.value);
      current.lines = lines;
      if (current.added || current.removed) {
        if (!oldRangeStart) {
          const prev = diff[i - 1];
          oldRangeStart = oldLine;
          newRangeStart = newLine;
          if (prev) {
            curRange = context > 0 ? contextLines(prev.lines.slice(-context)) : [];
            oldRangeStart -= curRange.length;
            newRangeStart -= curRange.length;
          }
        }
        for (const line of lines) {
          curRange.push((current.added ? "+" : "-") + line);
        }
        if (current.added) {
          newLine += lines.length;
        } else {
          oldLine += lines.length;
        }
      } else {
        if (oldRangeStart) {
          if (lines.length <= context * 2 && i < diff.length - 2) {
            for (const line of contextLines(lines)) {
              curRange.push(line);
            }
          } else {
            const contextSize = Math.min(lines.length, context);
            for (const line of contextLines(lines.slice(0, contextSize))) {
              curRange.push(line);
            }
            const hunk = {
              oldStart: oldRangeStart,
              oldLines: oldLine - oldRangeStart + contextSize,
              newStart: newRangeStart,
              newLines: newLine - newRangeStart + contextSize,
              lines: curRange
            };
            hunks.push(hunk);
            oldRangeStart = 0;
            newRangeStart = 0;
            curRange = [];
          }
        }
        oldLine += lines.length;
        newLine += lines.length;
      }
    }
    for (const hunk of hunks) {
      for (let i = 0; i < hunk.lines.length; i++) {
        if (hunk.lines[i].endsWith("\n")) {
          hunk.lines[i] = hunk.lines[i].slice(0, -1);
        } else {
          hunk.lines.splice(i + 1, 0, "\\ No newline at end of file");
          i++;
        }
      }
    }
    return {
      oldFileName,
      newFileName,
      oldHeader,
      newHeader,
      hunks
    };
  }
}
function splitLines(text) {
  const hasTrailingNl = text.endsWith("\n");
  const result = text.split("\n").map((line) => line + "\n");
  if (hasTrailingNl) {
    result.pop();
  } else {
    result.push(result.pop().slice(0, -1));
  }
  return result;
}

// src/render/unified-diff.ts
var BINARY_SNIFF_BYTES = 8e3;
var MAX_EDIT_LENGTH = 1e3;
var NO_NEWLINE = "\\ No newline at end of file";
var utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
function decodeText(content) {
  if (content.subarray(0, BINARY_SNIFF_BYTES).includes(0)) return null;
  try {
    return utf8.decode(content);
  } catch {
    return null;
  }
}
function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
var C_ESCAPES = {
  "\x07": "\\a",
  "\b": "\\b",
  "	": "\\t",
  "\n": "\\n",
  "\v": "\\v",
  "\f": "\\f",
  "\r": "\\r",
  '"': '\\"',
  "\\": "\\\\"
};
function quotePath(path) {
  const quoted = path.replace(/[\x00-\x1f\x7f"\\]/g, (c3) => C_ESCAPES[c3] ?? `\\${c3.charCodeAt(0).toString(8).padStart(3, "0")}`);
  return quoted === path ? path : `"${quoted}"`;
}
function modeNote(oldExecutable, newExecutable) {
  const mode = (executable) => executable ? "100755" : "100644";
  return `mode ${mode(oldExecutable)} \u2192 ${mode(newExecutable)}`;
}
function lineTokens(text) {
  return text === "" ? [] : text.split(/(?<=\n)/);
}
function markLines(mark, tokens) {
  return tokens.flatMap((token) => token.endsWith("\n") ? [mark + token.slice(0, -1)] : [mark + token, NO_NEWLINE]);
}
function replacementHunk(oldText, newText, context) {
  const a = lineTokens(oldText);
  const b3 = lineTokens(newText);
  let prefix = 0;
  while (prefix < a.length && prefix < b3.length && a[prefix] === b3[prefix]) prefix += 1;
  let suffix = 0;
  while (suffix < a.length - prefix && suffix < b3.length - prefix && a[a.length - 1 - suffix] === b3[b3.length - 1 - suffix]) {
    suffix += 1;
  }
  const start = Math.max(0, prefix - context);
  const trailing = Math.min(suffix, context);
  const lines = [
    ...markLines(" ", a.slice(start, prefix)),
    ...markLines("-", a.slice(prefix, a.length - suffix)),
    ...markLines("+", b3.slice(prefix, b3.length - suffix)),
    ...markLines(" ", a.slice(a.length - suffix, a.length - suffix + trailing))
  ];
  return {
    oldStart: start + 1,
    oldLines: a.length - suffix + trailing - start,
    newStart: start + 1,
    newLines: b3.length - suffix + trailing - start,
    lines
  };
}
function textHunks(oldText, newText, context) {
  const patch = structuredPatch("", "", oldText, newText, void 0, void 0, {
    context,
    maxEditLength: MAX_EDIT_LENGTH
  });
  return patch ? patch.hunks : [replacementHunk(oldText, newText, context)];
}
function hunkRange(start, lines) {
  if (lines === 1) return `${start}`;
  return `${lines === 0 ? start - 1 : start},${lines}`;
}
function binaryNote(old, next) {
  if (old && next) return `Binary file changed (${formatSize(old.length)} \u2192 ${formatSize(next.length)})`;
  return old ? `Binary file removed (${formatSize(old.length)})` : `Binary file added (${formatSize(next?.length ?? 0)})`;
}
function fileDiff(path, old, next, options = {}) {
  const notes = [];
  const oldExecutable = options.oldExecutable ?? false;
  const newExecutable = options.newExecutable ?? false;
  if (old && next && oldExecutable !== newExecutable) {
    notes.push(modeNote(oldExecutable, newExecutable));
  }
  const oldText = old && decodeText(old);
  const newText = next && decodeText(next);
  const binary = old !== null && oldText === null || next !== null && newText === null;
  let hunks = [];
  if (binary) {
    if (!old || !next || !old.equals(next)) notes.push(binaryNote(old, next));
  } else if (old || next) {
    hunks = textHunks(oldText ?? "", newText ?? "", options.context ?? 3);
    if (hunks.length === 0 && !(old && next)) notes.push(old ? "Empty file removed" : "Empty file added");
  }
  const stat5 = { added: 0, removed: 0 };
  if (notes.length === 0 && hunks.length === 0) return { text: "", body: "", notes, stat: stat5, binary };
  const out = [...notes];
  for (const hunk of hunks) {
    out.push(`@@ -${hunkRange(hunk.oldStart, hunk.oldLines)} +${hunkRange(hunk.newStart, hunk.newLines)} @@`);
    for (const line of hunk.lines) {
      out.push(line);
      if (line.startsWith("+")) stat5.added += 1;
      else if (line.startsWith("-")) stat5.removed += 1;
    }
  }
  const body = out.join("\n") + "\n";
  const header = `--- ${old ? quotePath(`a/${path}`) : "/dev/null"}
+++ ${next ? quotePath(`b/${path}`) : "/dev/null"}
`;
  return { text: header + body, body, notes, stat: stat5, binary };
}
function unifiedDiff(path, old, next, options = {}) {
  return fileDiff(path, old, next, options).text;
}
function diffStat(old, next) {
  const { stat: stat5, binary } = fileDiff("", old, next);
  return { ...stat5, binary };
}

// src/cli/context.ts
import { stat as stat3 } from "node:fs/promises";
import { basename as basename2, dirname, isAbsolute as isAbsolute2, relative as relative2, resolve as resolve3 } from "node:path";

// src/plan/types.ts
var PLAN_SCHEMA_VERSION = 1;

// src/plan/plan.ts
function byBytes(a, b3) {
  return a < b3 ? -1 : a > b3 ? 1 : 0;
}
function revOf(app) {
  return app ? app.treeOid.slice(0, 10) : null;
}
function sameEntry(a, b3) {
  return a.oid === b3.oid && a.executable === b3.executable;
}
function diffFiles(old, next) {
  const oldFiles = old?.files ?? /* @__PURE__ */ new Map();
  const newFiles = next?.files ?? /* @__PURE__ */ new Map();
  const changes = [];
  for (const [path, entry] of newFiles) {
    const before = oldFiles.get(path);
    if (!before) changes.push({ path, change: "add", old: null, new: entry });
    else if (!sameEntry(before, entry)) changes.push({ path, change: "modify", old: before, new: entry });
  }
  for (const [path, entry] of oldFiles) {
    if (!newFiles.has(path)) changes.push({ path, change: "remove", old: entry, new: null });
  }
  return changes.sort((a, b3) => byBytes(a.path, b3.path));
}
function minus(a, b3) {
  const exclude = new Set(b3);
  return [...new Set(a)].filter((x3) => !exclude.has(x3)).sort(byBytes);
}
function intersect(a, b3) {
  const keep = new Set(b3);
  return [...new Set(a)].filter((x3) => keep.has(x3)).sort(byBytes);
}
function diffSymlinks(old, next) {
  const before = old?.manifest.symlinks ?? /* @__PURE__ */ new Map();
  const after = next?.manifest.symlinks ?? /* @__PURE__ */ new Map();
  const changes = [];
  for (const [target, source] of after) {
    const previous = before.get(target);
    if (previous === void 0) changes.push({ target, change: "link", source, oldSource: null });
    else if (previous !== source) changes.push({ target, change: "link", source, oldSource: previous });
  }
  for (const [target, source] of before) {
    if (!after.has(target)) changes.push({ target, change: "unlink", source, oldSource: null });
  }
  return changes.sort((a, b3) => byBytes(a.target, b3.target));
}
function planApp(name, old, next) {
  if (old && next && old.treeOid === next.treeOid) return null;
  const action = !old ? "add" : !next ? "remove" : "update";
  const files = diffFiles(old, next);
  const oldLinks = appLinks(old?.files.keys() ?? []);
  const newLinks = appLinks(next?.files.keys() ?? []);
  const oldUnitPaths = [...oldLinks.units, ...oldLinks.dropIns];
  const newUnitPaths = [...newLinks.units, ...newLinks.dropIns];
  const oldEnabled = old?.manifest.unitsEnabled ?? [];
  const newEnabled = next?.manifest.unitsEnabled ?? [];
  return {
    app: name,
    action,
    oldRev: revOf(old),
    newRev: revOf(next),
    files,
    symlinks: diffSymlinks(old, next),
    sysusers: { link: minus(newLinks.sysusers, oldLinks.sysusers), unlink: minus(oldLinks.sysusers, newLinks.sysusers) },
    runSysusers: files.some((f3) => f3.path.startsWith("sysusers/") && f3.path.indexOf("/", 9) === -1),
    units: {
      link: minus(newUnitPaths, oldUnitPaths),
      unlink: minus(oldUnitPaths, newUnitPaths),
      disable: minus(oldEnabled, newEnabled),
      enable: minus(newEnabled, oldEnabled),
      // Any change to an app restarts its enabled units; newly enabled ones start on enable.
      restart: intersect(oldEnabled, newEnabled)
    }
  };
}
function rollbackReasons(apps) {
  const reasons = [];
  for (const app of apps) {
    for (const unit of app.units.link) reasons.push(`links unit ${unit}`);
    for (const unit of app.units.enable) reasons.push(`enables unit ${unit}`);
    for (const link of app.symlinks) {
      if (link.change === "link") reasons.push(`${link.oldSource === null ? "links" : "re-points"} ${link.target}`);
    }
    for (const file of app.sysusers.link) reasons.push(`links sysusers ${file}`);
  }
  return reasons;
}
function planHost(name, deployed, desired) {
  const oldApps = deployed?.apps ?? /* @__PURE__ */ new Map();
  const names = [.../* @__PURE__ */ new Set([...oldApps.keys(), ...desired.apps.keys()])].sort(byBytes);
  const apps = names.flatMap((app) => planApp(app, oldApps.get(app), desired.apps.get(app)) ?? []);
  if (apps.length === 0) return null;
  const reasons = rollbackReasons(apps);
  return { host: name, newHost: deployed === void 0, apps, rollback: { available: reasons.length === 0, reasons } };
}
function makePlan(input) {
  const inScope = (host) => !input.limit || input.limit.has(host);
  const hosts = [];
  const upToDate = [];
  for (const name of [...input.desired.keys()].sort(byBytes)) {
    if (!inScope(name)) continue;
    const plan = planHost(name, input.deployed.get(name), input.desired.get(name));
    if (plan) hosts.push(plan);
    else upToDate.push(name);
  }
  const untracked = [...input.deployed.keys()].filter((h3) => !input.desired.has(h3) && inScope(h3)).sort(byBytes);
  return { schema: PLAN_SCHEMA_VERSION, cluster: input.cluster, base: input.base, hosts, upToDate, untracked };
}

// src/store/store.ts
import { randomUUID } from "node:crypto";
import { mkdir, readdir, realpath, stat } from "node:fs/promises";
import { isAbsolute, join as join2, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

// node_modules/@simple-git/args-pathspec/dist/index.mjs
var t = /* @__PURE__ */ new WeakMap();
function c(...n) {
  const e = new String(n);
  return t.set(e, n), e;
}
function r(n) {
  return n instanceof String && t.has(n);
}
function o(n) {
  return t.get(n) ?? [];
}

// node_modules/simple-git/dist/index.mjs
var import_file_exists = __toESM(require_dist(), 1);
var import_debug = __toESM(require_src(), 1);
var import_promise_deferred = __toESM(require_dist2(), 1);
import { spawn as ve } from "node:child_process";
import { normalize as Se } from "node:path";

// node_modules/@simple-git/argv-parser/dist/index.mjs
function* x(e, n) {
  const t2 = n === "global";
  for (const o2 of e)
    o2.isGlobal === t2 && (yield o2);
}
var P = /* @__PURE__ */ new Set([
  "--add",
  "--edit",
  "--remove-section",
  "--rename-section",
  "--replace-all",
  "--unset",
  "--unset-all",
  "-e"
]);
var S = /* @__PURE__ */ new Set([
  "--get",
  "--get-all",
  "--get-color",
  "--get-colorbool",
  "--get-regexp",
  "--get-urlmatch",
  "--list",
  "-l"
]);
var E = /* @__PURE__ */ new Set([
  "edit",
  "remove-section",
  "rename-section",
  "set",
  "unset"
]);
var F = /* @__PURE__ */ new Set(["get", "get-color", "get-colorbool", "list"]);
function A(e, n) {
  for (const { name: o2 } of x(e, "task")) {
    if (P.has(o2))
      return w(true, n);
    if (S.has(o2))
      return w(false, n);
  }
  const t2 = n.at(0)?.toLowerCase();
  return t2 === void 0 ? null : E.has(t2) ? w(true, n.slice(1)) : F.has(t2) ? w(false, n.slice(1)) : n.length === 1 ? w(false, n) : w(true, n);
}
function w(e = false, n = []) {
  const t2 = n.at(0)?.toLowerCase();
  return t2 === void 0 ? null : {
    isWrite: e,
    isRead: !e,
    key: t2,
    value: n.at(1)
  };
}
function O(e, n) {
  return n.isWrite && n.value !== void 0 ? { key: n.key, value: n.value, scope: e } : { key: n.key, scope: e };
}
function G(e) {
  const n = e?.indexOf("=") || -1;
  return !e || n < 0 ? null : {
    key: e.slice(0, n).trim().toLowerCase(),
    value: e.slice(n + 1)
  };
}
function M(e) {
  for (const { name: n } of x(e, "task"))
    switch (n) {
      case "--global":
        return "global";
      case "--system":
        return "system";
      case "--worktree":
        return "worktree";
      case "--local":
        return "local";
      case "--file":
      case "-f":
        return "file";
    }
  return "local";
}
function N({ name: e }) {
  if (e === "-c" || e === "--config")
    return "inline";
  if (e === "--config-env")
    return "env";
}
function* $(e) {
  for (const n of e) {
    const t2 = N(n), o2 = t2 && G(n.value);
    o2 && (yield {
      ...o2,
      scope: t2
    });
  }
}
function D(e, n, t2) {
  const o2 = {
    read: [],
    write: [...$(n)]
  };
  return e === "config" && L(
    o2,
    M(n),
    A(n, t2)
  ), o2;
}
function L(e, n, t2) {
  if (t2 === null)
    return;
  const o2 = O(n, t2);
  t2.isWrite ? e.write.push(o2) : e.read.push(o2);
}
var C = {
  short: /* @__PURE__ */ new Map([
    ["c", true]
    //  -c <k=v>    set config key for this invocation
  ])
};
var I = {
  short: new Map([
    ["C", true],
    //  -C <path>   change working directory
    ["P", false],
    // -P          no pager (alias for --no-pager)
    ["h", false],
    // -h          help
    ["p", false],
    // -p          paginate
    ["v", false],
    // -v          version
    ...C.short.entries()
  ]),
  long: /* @__PURE__ */ new Set([
    "attr-source",
    "config-env",
    "exec-path",
    "git-dir",
    "list-cmds",
    "namespace",
    "super-prefix",
    "work-tree"
  ])
};
var R = {
  clone: {
    short: /* @__PURE__ */ new Map([
      ["b", true],
      // -b <branch>
      ["j", true],
      // -j <n>          parallel jobs
      ["l", false],
      // -l local
      ["n", false],
      // -n no-checkout
      ["o", true],
      // -o <name>       remote name
      ["q", false],
      // -q quiet
      ["s", false],
      // -s shared
      ["u", true]
      // -u <upload-pack>
    ]),
    long: /* @__PURE__ */ new Set(["branch", "config", "jobs", "origin", "upload-pack", "u", "template"])
  },
  commit: {
    short: /* @__PURE__ */ new Map([
      ["C", true],
      // -C <commit>  reuse message
      ["F", true],
      // -F <file>    read message from file
      ["c", true],
      // -c <commit>  reedit message
      ["m", true],
      // -m <msg>
      ["t", true]
      // -t <template>
    ]),
    long: /* @__PURE__ */ new Set(["file", "message", "reedit-message", "reuse-message", "template"])
  },
  config: {
    short: /* @__PURE__ */ new Map([
      ["e", false],
      // -e  open editor
      ["f", true],
      //  -f <file>
      ["l", false]
      // -l  list
    ]),
    long: /* @__PURE__ */ new Set(["blob", "comment", "default", "file", "type", "value"])
  },
  fetch: {
    short: /* @__PURE__ */ new Map(),
    long: /* @__PURE__ */ new Set(["upload-pack"])
  },
  init: {
    short: /* @__PURE__ */ new Map(),
    long: /* @__PURE__ */ new Set(["template"])
  },
  pull: {
    short: /* @__PURE__ */ new Map(),
    long: /* @__PURE__ */ new Set(["upload-pack"])
  },
  push: {
    short: /* @__PURE__ */ new Map(),
    long: /* @__PURE__ */ new Set(["exec", "receive-pack"])
  },
  rebase: {
    short: /* @__PURE__ */ new Map([
      ["X", true],
      // -X <option>   strategy option
      ["f", false],
      // -f force-rebase
      ["i", false],
      // -i interactive
      ["k", false],
      // -k keep-base
      ["m", false],
      // -m merge
      ["n", false],
      // -n no-stat
      ["q", false],
      // -q quiet
      ["r", false],
      // -r rebase-merges
      ["s", true],
      // -s <strategy>
      ["v", false],
      // -v verbose
      ["x", true]
      // -x <cmd>      exec
    ]),
    long: /* @__PURE__ */ new Set(["exec", "onto", "strategy", "strategy-option"])
  }
};
var T = { short: /* @__PURE__ */ new Map(), long: /* @__PURE__ */ new Set() };
function B(e) {
  const n = R[e ?? ""] ?? T;
  return {
    short: new Map([...C.short.entries(), ...n.short.entries()]),
    long: n.long
  };
}
function b(e, n = I) {
  if (e.startsWith("--")) {
    const t2 = e.indexOf("=");
    if (t2 > 2)
      return [{ name: e.slice(0, t2), value: e.slice(t2 + 1), needsNext: false }];
    const o2 = e.slice(2);
    return [{ name: e, needsNext: n.long.has(o2) }];
  }
  if (e.length === 2) {
    const t2 = e.charAt(1), o2 = n.short.get(t2);
    return [{ name: e, needsNext: o2 === true }];
  }
  return j(e, n.short);
}
function j(e, n) {
  const t2 = e.slice(1).split(""), o2 = [];
  for (let a = 0; a < t2.length; a++) {
    const s = t2[a], r2 = n.get(s);
    if (r2 === void 0)
      return [{ name: e, needsNext: false }];
    if (r2) {
      const i = t2.slice(a + 1).join("");
      if (i && ![...i].every((m2) => n.has(m2)))
        return o2.push({ name: `-${s}`, value: i, needsNext: false }), o2;
    }
    o2.push({ name: `-${s}`, needsNext: r2 });
  }
  return o2;
}
function W(e, n = []) {
  let t2 = 0;
  for (; t2 < e.length; ) {
    const o2 = String(e[t2]);
    if (!o2.startsWith("-") || o2.length < 2) break;
    const a = b(o2);
    let s = t2 + 1;
    for (const r2 of a) {
      const i = {
        name: r2.name,
        value: r2.value,
        absorbedNext: false,
        isGlobal: true
      };
      r2.needsNext && i.value === void 0 && s < e.length && (i.value = String(e[s]), i.absorbedNext = true, s++), n.push(i);
    }
    t2 = s;
  }
  return { flags: n, taskIndex: t2 };
}
function V(e, n, t2 = []) {
  const o2 = B(n), a = [], s = [];
  let r2 = 0;
  for (; r2 < e.length; ) {
    const i = e[r2];
    if (r(i)) {
      s.push(...o(i)), r2++;
      continue;
    }
    const p2 = String(i);
    if (p2 === "--") {
      for (let d2 = r2 + 1; d2 < e.length; d2++) {
        const g2 = e[d2];
        r(g2) ? s.push(...o(g2)) : s.push(String(g2));
      }
      break;
    }
    if (!p2.startsWith("-") || p2.length < 2) {
      a.push(p2), r2++;
      continue;
    }
    const m2 = b(p2, o2);
    let u2 = r2 + 1;
    for (const d2 of m2) {
      const g2 = {
        name: d2.name,
        value: d2.value,
        absorbedNext: false,
        isGlobal: false
      };
      d2.needsNext && g2.value === void 0 && u2 < e.length && !r(e[u2]) && (g2.value = String(e[u2]), g2.absorbedNext = true, u2++), t2.push(g2);
    }
    r2 = u2;
  }
  return { flags: t2, positionals: a, pathspecs: s };
}
function* q({
  write: e
}) {
  for (const n of e)
    for (const t2 of K) {
      const o2 = t2(n.key);
      o2 && (yield o2);
    }
}
function f(e, n, t2 = String(e)) {
  const o2 = typeof e == "string" ? new RegExp(`\\s*${e.toLowerCase()}`) : e;
  return function(s) {
    if (o2.test(s))
      return {
        category: n,
        message: `Configuring ${t2} is not permitted without enabling ${n}`
      };
  };
}
function l(e, n) {
  const t2 = new RegExp(`\\s*${e.toLowerCase().replace(/\./g, "(..+)?.")}`);
  return f(t2, n, e);
}
var K = [
  f("alias", "allowUnsafeAlias"),
  f("core.askPass", "allowUnsafeAskPass"),
  f("core.editor", "allowUnsafeEditor"),
  f("core.fsmonitor", "allowUnsafeFsMonitor"),
  f("core.gitProxy", "allowUnsafeGitProxy"),
  f("core.hooksPath", "allowUnsafeHooksPath"),
  f("core.pager", "allowUnsafePager"),
  f("core.sshCommand", "allowUnsafeSshCommand"),
  l("credential.helper", "allowUnsafeCredentialHelper"),
  l("diff.command", "allowUnsafeDiffExternal"),
  f("diff.external", "allowUnsafeDiffExternal"),
  l("difftool.cmd", "allowUnsafeDiffExternal"),
  l("diff.textconv", "allowUnsafeDiffTextConv"),
  l("filter.clean", "allowUnsafeFilter"),
  l("filter.process", "allowUnsafeFilter"),
  l("filter.smudge", "allowUnsafeFilter"),
  l("gpg.program", "allowUnsafeGpgProgram"),
  f("include.path", "allowUnsafeInclude"),
  l("includeIf", "allowUnsafeInclude"),
  f("init.templateDir", "allowUnsafeTemplateDir"),
  l("pager.", "allowUnsafePager"),
  l("merge.driver", "allowUnsafeMergeDriver"),
  l("mergetool.path", "allowUnsafeMergeDriver"),
  l("mergetool.cmd", "allowUnsafeMergeDriver"),
  l("protocol.allow", "allowUnsafeProtocolOverride"),
  l("remote.receivepack", "allowUnsafePack"),
  l("remote.uploadpack", "allowUnsafePack"),
  f("uploadpack.packObjectsHook", "allowUnsafePack"),
  f("sequence.editor", "allowUnsafeEditor"),
  l("submodule.update", "allowUnsafeSubmodule"),
  l("tar.command", "allowUnsafeCommandBinaries"),
  l("trailer.cmd", "allowUnsafeCommandBinaries"),
  l("trailer.command", "allowUnsafeCommandBinaries"),
  l("url.insteadOf", "allowUnsafeUrlRewrite")
];
function* H(e, n) {
  for (const t2 of n)
    for (const o2 of X) {
      const a = o2(e, t2);
      a && (yield a);
    }
}
function c2(e, n, t2, { name: o2 = String(n), globalOnly: a = false, withValue: s = false } = {}) {
  const r2 = typeof n == "string" ? new RegExp(`\\s*${n.toLowerCase()}`) : n, i = `Use of ${e ? `${e} with option ` : ""}${o2} is not permitted without enabling ${t2}`;
  return function(m2, u2) {
    if (!(e && m2 !== e) && !(a && !u2.isGlobal) && !(s && u2.value === void 0) && r2.test(u2.name))
      return {
        category: t2,
        message: i
      };
  };
}
var h = { globalOnly: true, withValue: true };
var X = [
  c2(null, /--(upload|receive)-pack/, "allowUnsafePack", {
    name: "--upload-pack or --receive-pack"
  }),
  c2("clone", /^-\w*u/, "allowUnsafePack"),
  c2("clone", "--u", "allowUnsafePack"),
  c2("push", /^--exec$/, "allowUnsafePack", { name: "--exec" }),
  // `git` accepts unambiguous abbreviations of long options, so `--ex` and `--exe` are `--exec`
  c2("rebase", /^(-x|--ex(ec?)?)$/, "allowUnsafeExec", { name: "-x or --exec" }),
  c2(null, "--template", "allowUnsafeTemplateDir"),
  c2(null, "--exec-path", "allowUnsafeExec", h),
  // `git` reads the configuration of whichever repository these name, so the
  // directory alone is enough to deliver config the argv guards never see
  c2(null, "--git-dir", "allowUnsafeConfigPaths", h),
  c2(null, "--work-tree", "allowUnsafeConfigPaths", h),
  c2(null, /^-C$/, "allowUnsafeConfigPaths", { ...h, name: "-C" })
];
function k(e, n, t2) {
  return [...H(e, n), ...q(t2)];
}
function Y(...e) {
  const { flags: n, taskIndex: t2 } = W(e), o2 = t2 < e.length ? String(e[t2]).toLowerCase() : null, a = o2 !== null ? e.slice(t2 + 1) : [], { positionals: s, pathspecs: r2 } = V(a, o2, n), i = D(o2, n, s);
  return {
    task: o2,
    flags: n.map(J),
    paths: r2,
    config: i,
    vulnerabilities: z(k(o2, n, i))
  };
}
function z(e) {
  return Object.defineProperty(e, "vulnerabilities", {
    value: e
  });
}
function J({ value: e, name: n }) {
  return e !== void 0 ? { name: n, value: e } : { name: n };
}
var y = {
  editor: "allowUnsafeEditor",
  git_askpass: "allowUnsafeAskPass",
  git_config_global: "allowUnsafeConfigPaths",
  git_config_system: "allowUnsafeConfigPaths",
  git_config_count: "allowUnsafeConfigEnvCount",
  git_config_parameters: "allowUnsafeConfigEnvCount",
  git_config: "allowUnsafeConfigPaths",
  git_editor: "allowUnsafeEditor",
  git_exec_path: "allowUnsafeExec",
  git_external_diff: "allowUnsafeDiffExternal",
  git_pager: "allowUnsafePager",
  git_proxy_command: "allowUnsafeGitProxy",
  git_template_dir: "allowUnsafeTemplateDir",
  git_sequence_editor: "allowUnsafeEditor",
  git_ssh: "allowUnsafeSshCommand",
  git_ssh_command: "allowUnsafeSshCommand",
  pager: "allowUnsafePager",
  prefix: "allowUnsafeConfigPaths",
  ssh_askpass: "allowUnsafeAskPass",
  visual: "allowUnsafeEditor"
};
function* Q(e) {
  const n = parseInt(e.git_config_count ?? "0", 10);
  for (let t2 = 0; t2 < n; t2++) {
    const o2 = e[`git_config_key_${t2}`], a = e[`git_config_value_${t2}`];
    o2 !== void 0 && (yield { key: o2.toLowerCase().trim(), value: a, scope: "env" });
  }
}
function* Z(e) {
  for (const n of Object.keys(e))
    if (_(n)) {
      const t2 = y[n];
      yield {
        category: t2,
        message: `Use of "${n.toUpperCase()}" is not permitted without enabling ${t2}`
      };
    }
}
function _(e) {
  return Object.hasOwn(y, e);
}
function ee(e) {
  const n = {};
  for (const [t2, o2] of Object.entries(e)) {
    const a = t2.toLowerCase().trim();
    (_(a) || a.startsWith("git")) && (n[a] = String(o2));
  }
  return n;
}
function ne(e) {
  const n = ee(e), t2 = {
    read: [],
    write: [...Q(n)]
  }, o2 = [
    ...Z(n),
    ...k(null, [], t2)
  ];
  return {
    config: t2,
    vulnerabilities: o2
  };
}
function oe(e, n) {
  return [...Y(...e).vulnerabilities, ...ne(n).vulnerabilities];
}

// node_modules/simple-git/dist/index.mjs
import { EventEmitter as Ce } from "node:events";
var O2 = class extends Error {
  constructor(e, n) {
    super(n), this.task = e, Object.setPrototypeOf(this, new.target.prototype);
  }
};
var Ae = class extends O2 {
  constructor(e, n) {
    super(void 0, n), this.config = e;
  }
};
var A2 = class extends O2 {
  constructor(e, n, r2) {
    super(e, r2), this.task = e, this.plugin = n, Object.setPrototypeOf(this, new.target.prototype);
  }
};
var at = class extends O2 {
  constructor(e, n) {
    super(void 0, n || String(e)), this.git = e;
  }
};
var xe = class extends O2 {
  constructor(e) {
    super(void 0, e);
  }
};
var I2 = "\0";
var W2 = () => {
};
function Ne(t2) {
  return typeof t2 != "function" ? W2 : t2;
}
function $e(t2) {
  return typeof t2 == "function" && t2 !== W2;
}
function Pe(t2, e) {
  const n = t2.indexOf(e);
  return n <= 0 ? [t2, ""] : [t2.substr(0, n), t2.substr(n + 1)];
}
function Me(t2, e = 0) {
  return Dt(t2) && t2.length > e ? t2[e] : void 0;
}
function N2(t2, e = 0) {
  if (Dt(t2) && t2.length > e)
    return t2[t2.length - 1 - e];
}
function Dt(t2) {
  return Bt(t2);
}
function H2(t2 = "", e = true, n = `
`) {
  return t2.split(n).reduce((r2, s) => {
    const o2 = e ? s.trim() : s;
    return o2 && r2.push(o2), r2;
  }, []);
}
function ut(t2, e) {
  return H2(t2, true).map((n) => e(n));
}
function Lt(t2) {
  return (0, import_file_exists.exists)(t2, import_file_exists.FOLDER);
}
function S2(t2, e) {
  return Array.isArray(t2) ? t2.includes(e) || t2.push(e) : t2.add(e), e;
}
function De(t2, e) {
  return Array.isArray(t2) && !t2.includes(e) && t2.push(e), t2;
}
function ct(t2, e) {
  if (Array.isArray(t2)) {
    const n = t2.indexOf(e);
    n >= 0 && t2.splice(n, 1);
  } else
    t2.delete(e);
  return e;
}
var ft = Object.prototype.toString.call.bind(Object.prototype.toString);
function v(t2) {
  return Array.isArray(t2) ? t2 : [t2];
}
function jt(t2) {
  return t2.replace(/[\s-]+(.)/g, (e, n) => n.toUpperCase());
}
function L2(t2) {
  return v(t2).map((e) => e instanceof String ? e : String(e));
}
function p(t2, e = 0) {
  if (t2 == null)
    return e;
  const n = parseInt(t2, 10);
  return Number.isNaN(n) ? e : n;
}
function U(t2, e) {
  const n = [];
  for (let r2 = 0, s = t2.length; r2 < s; r2++)
    n.push(e, t2[r2]);
  return n;
}
function F2(t2) {
  return (Array.isArray(t2) ? Buffer.concat(t2) : t2).toString("utf-8");
}
function Le(t2) {
  return t2 ? Buffer.isBuffer(t2) ? t2.length : Buffer.byteLength(t2) : 0;
}
function je(t2, e) {
  const n = {};
  return e.forEach((r2) => {
    t2[r2] !== void 0 && (n[r2] = t2[r2]);
  }), n;
}
function wt(t2 = 0) {
  return new Promise((e) => setTimeout(e, t2));
}
function bt(t2) {
  if (t2 !== false)
    return t2;
}
function d(t2, e, n) {
  return e(t2) ? t2 : arguments.length > 2 ? n : void 0;
}
var K2 = (t2) => Array.isArray(t2);
function st(t2, e) {
  const n = r(t2) ? "string" : typeof t2;
  return /number|string|boolean/.test(n) && (!e || !e.includes(n));
}
var m = (t2) => typeof t2 == "string" || r(t2);
var Be = (t2) => m(t2) || Buffer.isBuffer(t2);
var G2 = (t2) => m(t2) || Array.isArray(t2) && t2.every(m);
function lt(t2) {
  return !!t2 && ft(t2) === "[object Object]";
}
function Ie(t2) {
  return typeof t2 == "function";
}
var Bt = (t2) => t2 == null || "number|boolean|function".includes(typeof t2) ? false : typeof t2.length == "number";
var V2 = /* @__PURE__ */ ((t2) => (t2[t2.SUCCESS = 0] = "SUCCESS", t2[t2.ERROR = 1] = "ERROR", t2[t2.NOT_FOUND = -2] = "NOT_FOUND", t2[t2.UNCLEAN = 128] = "UNCLEAN", t2))(V2 || {});
var z2 = class _z {
  constructor(e, n) {
    this.stdOut = e, this.stdErr = n;
  }
  asStrings() {
    return new _z(this.stdOut.toString("utf8"), this.stdErr.toString("utf8"));
  }
};
function Ue() {
  throw new Error("LineParser:useMatches not implemented");
}
var l2 = class {
  constructor(e, n) {
    this.matches = [], this.useMatches = Ue, this.parse = (r2, s) => (this.resetMatches(), this._regExp.every((o2, i) => this.addMatch(o2, i, r2(i))) ? this.useMatches(s, this.prepareMatches()) !== false : false), this._regExp = Array.isArray(e) ? e : [e], n && (this.useMatches = n);
  }
  resetMatches() {
    this.matches.length = 0;
  }
  prepareMatches() {
    return this.matches;
  }
  addMatch(e, n, r2) {
    const s = r2 && e.exec(r2);
    return s && this.pushMatch(n, s), !!s;
  }
  pushMatch(e, n) {
    this.matches.push(...n.slice(1));
  }
};
var x2 = class extends l2 {
  addMatch(e, n, r2) {
    return /^remote:\s/.test(String(r2)) && super.addMatch(e, n, r2);
  }
  pushMatch(e, n) {
    (e > 0 || n.length > 1) && super.pushMatch(e, n);
  }
};
var Fe = {
  binary: "git",
  maxConcurrentProcesses: 5,
  config: [],
  trimmed: false
};
function Ge(...t2) {
  const e = process.cwd(), n = Object.assign(
    { baseDir: e, ...Fe },
    ...t2.filter((r2) => typeof r2 == "object" && r2)
  );
  return n.baseDir = n.baseDir || e, n.trimmed = n.trimmed === true, n;
}
function It(t2, e = []) {
  return lt(t2) ? Object.keys(t2).reduce((n, r2) => {
    const s = t2[r2];
    if (r(s))
      n.push(s);
    else if (st(s, ["boolean"]))
      n.push(r2 + "=" + s);
    else if (Array.isArray(s))
      for (const o2 of s)
        st(o2, ["string", "number"]) || n.push(r2 + "=" + o2);
    else
      n.push(r2);
    return n;
  }, e) : e;
}
function h2(t2, e = 0, n = false) {
  const r2 = [];
  for (let s = 0, o2 = e < 0 ? t2.length : e; s < o2; s++)
    "string|number".includes(typeof t2[s]) && r2.push(String(t2[s]));
  return It(ht(t2), r2), n || r2.push(...ze(t2)), r2;
}
function ze(t2) {
  const e = typeof N2(t2) == "function";
  return L2(d(N2(t2, e ? 1 : 0), K2, []));
}
function ht(t2) {
  const e = Ie(N2(t2));
  return d(N2(t2, e ? 1 : 0), lt);
}
function u(t2, e = true) {
  const n = Ne(N2(t2));
  return e || $e(n) ? n : void 0;
}
function Tt(t2, e) {
  return t2(e.stdOut, e.stdErr);
}
function E2(t2, e, n, r2 = true) {
  return v(n).forEach((s) => {
    for (let o2 = H2(s, r2), i = 0, a = o2.length; i < a; i++) {
      const c3 = (y2 = 0) => {
        if (!(i + y2 >= a))
          return o2[i + y2];
      };
      e.some(({ parse: y2 }) => y2(c3, t2));
    }
  }), t2;
}
var mt = ({ exitCode: t2 }, e, n, r2) => {
  if (t2 === V2.UNCLEAN && Ve(e))
    return n(Buffer.from("false"));
  r2(e);
};
var Ut = (t2) => t2.trim() === "true";
function We(t2) {
  switch (t2) {
    case "bare":
      return Ke();
    case "root":
      return He();
  }
  return {
    commands: ["rev-parse", "--is-inside-work-tree"],
    format: "utf-8",
    onError: mt,
    parser: Ut
  };
}
function He() {
  return {
    commands: ["rev-parse", "--git-dir"],
    format: "utf-8",
    onError: mt,
    parser(e) {
      return /^\.(git)?$/.test(e.trim());
    }
  };
}
function Ke() {
  return {
    commands: ["rev-parse", "--is-bare-repository"],
    format: "utf-8",
    onError: mt,
    parser: Ut
  };
}
function Ve(t2) {
  return /(Not a git repository|Kein Git-Repository)/i.test(String(t2));
}
var Xe = class {
  constructor(e) {
    this.paths = [], this.files = [], this.folders = [], this.dryRun = e;
  }
};
var Ye = /^[a-z]+\s*/i;
var Qe = /^[a-z]+\s+[a-z]+\s*/i;
var Je = /\/$/;
function Ze(t2, e) {
  const n = new Xe(t2), r2 = t2 ? Qe : Ye;
  return H2(e).forEach((s) => {
    const o2 = s.replace(r2, "");
    n.paths.push(o2), (Je.test(o2) ? n.folders : n.files).push(o2);
  }), n;
}
var Ft = [];
function tn(t2) {
  return {
    commands: Ft,
    format: "empty",
    parser: t2
  };
}
function b2(t2) {
  return {
    commands: Ft,
    format: "empty",
    parser() {
      throw typeof t2 == "string" ? new xe(t2) : t2;
    }
  };
}
function g(t2, e = false) {
  return {
    commands: t2,
    format: "utf-8",
    parser(n) {
      return e ? String(n).trim() : n;
    }
  };
}
function Gt(t2) {
  return {
    commands: t2,
    format: "buffer",
    parser(e) {
      return e;
    }
  };
}
function en(t2) {
  return t2.format === "buffer";
}
function kt(t2) {
  return t2.format === "empty" || !t2.commands.length;
}
var nn = "Git clean interactive mode is not supported";
var rn = 'Git clean mode parameter ("n" or "f") is required';
var sn = "Git clean unknown option found in: ";
var zt = /* @__PURE__ */ ((t2) => (t2.DRY_RUN = "n", t2.FORCE = "f", t2.IGNORED_INCLUDED = "x", t2.IGNORED_ONLY = "X", t2.EXCLUDING = "e", t2.QUIET = "q", t2.RECURSIVE = "d", t2))(zt || {});
var qt = /* @__PURE__ */ new Set([
  "i",
  ...L2(Object.values(zt))
]);
function on(t2, e) {
  const { cleanMode: n, options: r2, valid: s } = cn(t2);
  return n ? s.options ? (r2.push(...e), r2.some(hn) ? b2(nn) : an(n, r2)) : b2(sn + JSON.stringify(t2)) : b2(rn);
}
function an(t2, e) {
  return {
    commands: ["clean", `-${t2}`, ...e],
    format: "utf-8",
    parser(r2) {
      return Ze(t2 === "n", r2);
    }
  };
}
function un(t2) {
  return Array.isArray(t2) && t2.every((e) => qt.has(e));
}
function cn(t2) {
  let e, n = [], r2 = { cleanMode: false, options: true };
  return t2.replace(/[^a-z]i/g, "").split("").forEach((s) => {
    fn(s) ? (e = s, r2.cleanMode = true) : r2.options = r2.options && ln(n[n.length] = `-${s}`);
  }), {
    cleanMode: e,
    options: n,
    valid: r2
  };
}
function fn(t2) {
  return t2 === "f" || t2 === "n";
}
function ln(t2) {
  return /^-[a-z]$/i.test(t2) && qt.has(t2.charAt(1));
}
function hn(t2) {
  return /^-[^\-]/.test(t2) ? t2.indexOf("i") > 0 : t2 === "--interactive";
}
var mn = class {
  constructor() {
    this.files = [], this.values = /* @__PURE__ */ Object.create(null);
  }
  get all() {
    return this._all || (this._all = this.files.reduce((e, n) => Object.assign(e, this.values[n]), {})), this._all;
  }
  addFile(e) {
    if (!(e in this.values)) {
      const n = N2(this.files);
      this.values[e] = n ? Object.create(this.values[n]) : {}, this.files.push(e);
    }
    return this.values[e];
  }
  addValue(e, n, r2) {
    const s = this.addFile(e);
    Object.hasOwn(s, n) ? Array.isArray(s[n]) ? s[n].push(r2) : s[n] = [s[n], r2] : s[n] = r2, this._all = void 0;
  }
};
function pn(t2) {
  const e = new mn();
  for (const n of Wt(t2))
    e.addValue(n.file, String(n.key), n.value);
  return e;
}
function dn(t2, e) {
  let n = null;
  const r2 = [], s = /* @__PURE__ */ new Map();
  for (const o2 of Wt(t2, e))
    o2.key === e && (r2.push(n = o2.value), s.has(o2.file) || s.set(o2.file, []), s.get(o2.file).push(n));
  return {
    key: e,
    paths: Array.from(s.keys()),
    scopes: s,
    value: n,
    values: r2
  };
}
function gn(t2) {
  return t2.replace(/^(file):/, "");
}
function* Wt(t2, e = null) {
  const n = t2.split("\0");
  for (let r2 = 0, s = n.length - 1; r2 < s; ) {
    const o2 = gn(n[r2++]);
    let i = n[r2++], a = e;
    if (i.includes(`
`)) {
      const c3 = Pe(i, `
`);
      a = c3[0], i = c3[1];
    }
    yield { file: o2, key: a, value: i };
  }
}
var Ht = /* @__PURE__ */ ((t2) => (t2.system = "system", t2.global = "global", t2.local = "local", t2.worktree = "worktree", t2))(Ht || {});
function Y2(t2, e) {
  return typeof t2 == "string" && Object.hasOwn(Ht, t2) ? t2 : e;
}
function yn(t2, e, n, r2) {
  const s = ["config", `--${r2}`];
  return n && s.push("--add"), s.push(t2, e), {
    commands: s,
    format: "utf-8",
    parser(o2) {
      return o2;
    }
  };
}
function wn(t2, e) {
  const n = ["config", "--null", "--show-origin", "--get-all", t2];
  return e && n.splice(1, 0, `--${e}`), {
    commands: n,
    format: "utf-8",
    parser(r2) {
      return dn(r2, t2);
    }
  };
}
function bn(t2) {
  const e = ["config", "--list", "--show-origin", "--null"];
  return t2 && e.push(`--${t2}`), {
    commands: e,
    format: "utf-8",
    parser(n) {
      return pn(n);
    }
  };
}
function Tn() {
  return {
    addConfig(t2, e, ...n) {
      return this._runTask(
        yn(
          t2,
          e,
          n[0] === true,
          Y2(
            n[1],
            "local"
            /* local */
          )
        ),
        u(arguments)
      );
    },
    getConfig(t2, e) {
      return this._runTask(
        wn(t2, Y2(e, void 0)),
        u(arguments)
      );
    },
    listConfig(...t2) {
      return this._runTask(
        bn(Y2(t2[0], void 0)),
        u(arguments)
      );
    }
  };
}
var Kt = /* @__PURE__ */ ((t2) => (t2.ADDED = "A", t2.COPIED = "C", t2.DELETED = "D", t2.MODIFIED = "M", t2.RENAMED = "R", t2.CHANGED = "T", t2.UNMERGED = "U", t2.UNKNOWN = "X", t2.BROKEN = "B", t2))(Kt || {});
var kn = new Set(Object.values(Kt));
function _n(t2) {
  return kn.has(t2);
}
var _t;
var vn = ["-h"];
var j2 = /* @__PURE__ */ Symbol("grepQuery");
var En = class {
  constructor() {
    this[_t] = [];
  }
  *[(_t = j2, Symbol.iterator)]() {
    for (const e of this[j2])
      yield e;
  }
  and(...e) {
    return e.length && this[j2].push("--and", "(", ...U(e, "-e"), ")"), this;
  }
  param(...e) {
    return this[j2].push(...U(e, "-e")), this;
  }
};
function Sn(...t2) {
  return new En().param(...t2);
}
function Rn(t2) {
  const e = /* @__PURE__ */ new Set(), n = {};
  return ut(t2, (r2) => {
    const [s, o2, i] = r2.split(I2);
    e.add(s), (n[s] = n[s] || []).push({
      line: p(o2),
      path: s,
      preview: i
    });
  }), {
    paths: e,
    results: n
  };
}
function On() {
  return {
    grep(t2) {
      const e = u(arguments), n = h2(arguments);
      for (const s of vn)
        if (n.includes(s))
          return this._runTask(
            b2(`git.grep: use of "${s}" is not supported.`),
            e
          );
      typeof t2 == "string" && (t2 = Sn().param(t2));
      const r2 = ["grep", "--null", "-n", "--full-name", ...n, ...t2];
      return this._runTask(
        {
          commands: r2,
          format: "utf-8",
          parser(s) {
            return Rn(s);
          }
        },
        e
      );
    }
  };
}
var Vt = /* @__PURE__ */ ((t2) => (t2.MIXED = "mixed", t2.SOFT = "soft", t2.HARD = "hard", t2.MERGE = "merge", t2.KEEP = "keep", t2))(Vt || {});
var Cn = L2(Object.values(Vt));
function An(t2, e) {
  const n = ["reset"];
  return Xt(t2) && n.push(`--${t2}`), n.push(...e), g(n);
}
function xn(t2) {
  if (Xt(t2))
    return t2;
  switch (typeof t2) {
    case "string":
    case "undefined":
      return "soft";
  }
}
function Xt(t2) {
  return typeof t2 == "string" && Cn.includes(t2);
}
import_debug.default.formatters.L = (t2) => String(Bt(t2) ? t2.length : "-");
import_debug.default.formatters.B = (t2) => Buffer.isBuffer(t2) ? t2.toString("utf8") : ft(t2);
function Nn() {
  return (0, import_debug.default)("simple-git");
}
function vt(t2, e, n) {
  return !e || !String(e).replace(/\s*/, "") ? n ? (r2, ...s) => {
    t2(r2, ...s), n(r2, ...s);
  } : t2 : (r2, ...s) => {
    t2(`%s ${r2}`, e, ...s), n && n(r2, ...s);
  };
}
function $n(t2, e, { namespace: n }) {
  if (typeof t2 == "string")
    return t2;
  const r2 = e && e.namespace || "";
  return r2.startsWith(n) ? r2.substr(n.length + 1) : r2 || n;
}
function $2(t2, e, n, r2 = Nn()) {
  const s = t2 && `[${t2}]` || "", o2 = [], i = typeof e == "string" ? r2.extend(e) : e, a = $n(d(e, m), i, r2);
  return y2(n);
  function c3(w2, T2) {
    return S2(
      o2,
      $2(t2, a.replace(/^[^:]+/, w2), T2, r2)
    );
  }
  function y2(w2) {
    const T2 = w2 && `[${w2}]` || "", k2 = i && vt(i, T2) || W2, C2 = vt(r2, `${s} ${T2}`, k2);
    return Object.assign(i ? k2 : C2, {
      label: t2,
      sibling: c3,
      info: C2,
      step: y2
    });
  }
}
var M2 = class M3 {
  constructor(e = "GitExecutor") {
    this.logLabel = e, this._queue = /* @__PURE__ */ new Map();
  }
  withProgress(e) {
    return this._queue.get(e);
  }
  createProgress(e) {
    const n = M3.getName(e.commands[0]), r2 = $2(this.logLabel, n);
    return {
      task: e,
      logger: r2,
      name: n
    };
  }
  push(e) {
    const n = this.createProgress(e);
    return n.logger("Adding task to the queue, commands = %o", e.commands), this._queue.set(e, n), n;
  }
  fatal(e) {
    for (const [n, { logger: r2 }] of Array.from(this._queue.entries()))
      n === e.task ? (r2.info("Failed %o", e), r2(
        "Fatal exception, any as-yet un-started tasks run through this executor will not be attempted"
      )) : r2.info(
        "A fatal exception occurred in a previous task, the queue has been purged: %o",
        e.message
      ), this.complete(n);
    if (this._queue.size !== 0)
      throw new Error(`Queue size should be zero after fatal: ${this._queue.size}`);
  }
  complete(e) {
    this.withProgress(e) && this._queue.delete(e);
  }
  attempt(e) {
    const n = this.withProgress(e);
    if (!n)
      throw new O2(void 0, "TasksPendingQueue: attempt called for an unknown task");
    return n.logger("Starting task"), n;
  }
  static getName(e = "empty") {
    return `task:${e}:${++M3.counter}`;
  }
};
M2.counter = 0;
var ot = M2;
var Pn = class {
  constructor(e, n, r2) {
    this._executor = e, this._scheduler = n, this._plugins = r2, this._chain = Promise.resolve(), this._queue = new ot();
  }
  get cwd() {
    return this._cwd || this._executor.cwd;
  }
  set cwd(e) {
    this._cwd = e;
  }
  get env() {
    return this._executor.env;
  }
  get outputHandler() {
    return this._executor.outputHandler;
  }
  chain() {
    return this;
  }
  push(e) {
    return this._queue.push(e), this._chain = this._chain.then(() => this.attemptTask(e));
  }
  async attemptTask(e) {
    const n = await this._scheduler.next(), r2 = () => this._queue.complete(e);
    try {
      const { logger: s } = this._queue.attempt(e);
      return await (kt(e) ? this.attemptEmptyTask(e, s) : this.attemptRemoteTask(e, s));
    } catch (s) {
      throw this.onFatalException(e, s);
    } finally {
      r2(), n();
    }
  }
  onFatalException(e, n) {
    const r2 = n instanceof O2 ? Object.assign(n, { task: e }) : new O2(e, n && String(n));
    return this._chain = Promise.resolve(), this._queue.fatal(r2), r2;
  }
  async attemptRemoteTask(e, n) {
    const r2 = this._plugins.exec("spawn.binary", "", this.taskContext(e, e.commands)), s = this._plugins.exec(
      "spawn.args",
      [...e.commands],
      this.taskContext(e, e.commands)
    ), o2 = await this.gitResponse(
      e,
      r2,
      s,
      this.outputHandler,
      n.step("SPAWN")
    ), i = await this.handleTaskData(e, s, o2, n.step("HANDLE"));
    return n("passing response to task's parser as a %s", e.format), en(e) ? Tt(e.parser, i) : Tt(e.parser, i.asStrings());
  }
  async attemptEmptyTask(e, n) {
    return n("empty task bypassing child process to call to task's parser"), e.parser(this);
  }
  handleTaskData(e, n, r2, s) {
    const { exitCode: o2, rejection: i, stdOut: a, stdErr: c3 } = r2;
    return new Promise((y2, w2) => {
      s("Preparing to handle process response exitCode=%d stdOut=", o2);
      const { error: T2 } = this._plugins.exec(
        "task.error",
        { error: i },
        {
          ...this.taskContext(e, n),
          ...r2
        }
      );
      if (T2 && e.onError)
        return s.info("exitCode=%s handling with custom error handler"), e.onError(
          r2,
          T2,
          (k2) => {
            s.info("custom error handler treated as success"), s("custom error returned a %s", ft(k2)), y2(
              new z2(
                Array.isArray(k2) ? Buffer.concat(k2) : k2,
                Buffer.concat(c3)
              )
            );
          },
          w2
        );
      if (T2)
        return s.info(
          "handling as error: exitCode=%s stdErr=%s rejection=%o",
          o2,
          c3.length,
          i
        ), w2(T2);
      s.info("retrieving task output complete"), y2(new z2(Buffer.concat(a), Buffer.concat(c3)));
    });
  }
  async gitResponse(e, n, r2, s, o2) {
    const i = o2.sibling("output"), a = this._plugins.exec(
      "spawn.options",
      {
        cwd: this.cwd,
        env: this.env,
        windowsHide: true
      },
      this.taskContext(e, e.commands)
    );
    return new Promise((c3) => {
      const y2 = [], w2 = [];
      o2.info("%s %o", n, r2), o2("%O", a);
      let T2 = this._beforeSpawn(e, r2);
      if (T2)
        return c3({
          stdOut: y2,
          stdErr: w2,
          exitCode: 9901,
          rejection: T2
        });
      this._plugins.exec("spawn.before", void 0, {
        ...this.taskContext(e, r2),
        kill(C2) {
          T2 = C2 || T2;
        }
      });
      const k2 = ve(n, r2, a);
      k2.stdout.on(
        "data",
        Et(y2, "stdOut", o2, i.step("stdOut"))
      ), k2.stderr.on(
        "data",
        Et(w2, "stdErr", o2, i.step("stdErr"))
      ), k2.on("error", Mn(w2, o2)), s && (o2("Passing child process stdOut/stdErr to custom outputHandler"), s(n, k2.stdout, k2.stderr, [...r2])), this._plugins.exec("spawn.after", void 0, {
        ...this.taskContext(e, r2),
        spawned: k2,
        close(C2, Te) {
          c3({
            stdOut: y2,
            stdErr: w2,
            exitCode: C2,
            rejection: T2 || Te
          });
        },
        kill(C2) {
          k2.killed || (T2 = C2, k2.kill("SIGINT"));
        }
      });
    });
  }
  _beforeSpawn(e, n) {
    let r2;
    return this._plugins.exec("spawn.before", void 0, {
      ...this.taskContext(e, n),
      kill(s) {
        r2 = s || r2;
      }
    }), r2;
  }
  taskContext(e, n) {
    return {
      method: String(Me(e.commands) || ""),
      commands: n,
      env: { ...this.env },
      input: kt(e) ? void 0 : e.input
    };
  }
};
function Mn(t2, e) {
  return (n) => {
    e("[ERROR] child process exception %o", n), t2.push(Buffer.from(String(n.stack), "ascii"));
  };
}
function Et(t2, e, n, r2) {
  return (s) => {
    n("%s received %L bytes", e, s), r2("%B", s), t2.push(s);
  };
}
var Dn = class {
  constructor(e, n, r2) {
    this.cwd = e, this._scheduler = n, this._plugins = r2, this._chain = this.chain();
  }
  chain() {
    return new Pn(this, this._scheduler, this._plugins);
  }
  push(e) {
    return this._chain.push(e);
  }
};
function Ln(t2, e, n = W2) {
  const r2 = (o2) => {
    n(null, o2);
  }, s = (o2) => {
    o2?.task === t2 && n(o2, void 0);
  };
  e.then(r2, s);
}
function St(t2, e) {
  return tn((n) => {
    if (!Lt(t2))
      throw new Error(`Git.cwd: cannot change to non-directory "${t2}"`);
    return (e || n).cwd = t2;
  });
}
function Q2(t2) {
  const e = ["checkout", ...t2];
  return e[1] === "-b" && e.includes("-B") && (e[1] = ct(e, "-B")), g(e);
}
function jn() {
  return {
    checkout() {
      return this._runTask(
        Q2(h2(arguments, 1)),
        u(arguments)
      );
    },
    checkoutBranch(t2, e) {
      return this._runTask(
        Q2(["-b", t2, e, ...h2(arguments)]),
        u(arguments)
      );
    },
    checkoutLocalBranch(t2) {
      return this._runTask(
        Q2(["-b", t2, ...h2(arguments)]),
        u(arguments)
      );
    }
  };
}
var Yt = (t2, e, n) => {
  const r2 = ["clone", ...n];
  return m(t2) && r2.push(c(t2)), m(e) && r2.push(c(e)), g(r2);
};
var Bn = (t2, e, n) => (S2(n, "--mirror"), Yt(t2, e, n));
function Rt(t2, e, n, ...r2) {
  return m(n) ? e(n, d(r2[0], m), h2(arguments)) : b2(`git.${t2}() requires a string 'repoPath'`);
}
function In() {
  return {
    clone(t2, ...e) {
      return this._runTask(
        Rt("clone", Yt, d(t2, m), ...e),
        u(arguments)
      );
    },
    mirror(t2, ...e) {
      return this._runTask(
        Rt("mirror", Bn, d(t2, m), ...e),
        u(arguments)
      );
    }
  };
}
var Un = [
  new l2(/^\[([^\s]+)( \([^)]+\))? ([^\]]+)/, (t2, [e, n, r2]) => {
    t2.branch = e, t2.commit = r2, t2.root = !!n;
  }),
  new l2(/\s*Author:\s(.+)/i, (t2, [e]) => {
    const n = e.split("<"), r2 = n.pop();
    !r2 || !r2.includes("@") || (t2.author = {
      email: r2.substr(0, r2.length - 1),
      name: n.join("<").trim()
    });
  }),
  new l2(
    /(\d+)[^,]*(?:,\s*(\d+)[^,]*)(?:,\s*(\d+))/g,
    (t2, [e, n, r2]) => {
      t2.summary.changes = parseInt(e, 10) || 0, t2.summary.insertions = parseInt(n, 10) || 0, t2.summary.deletions = parseInt(r2, 10) || 0;
    }
  ),
  new l2(
    /^(\d+)[^,]*(?:,\s*(\d+)[^(]+\(([+-]))?/,
    (t2, [e, n, r2]) => {
      t2.summary.changes = parseInt(e, 10) || 0;
      const s = parseInt(n, 10) || 0;
      r2 === "-" ? t2.summary.deletions = s : r2 === "+" && (t2.summary.insertions = s);
    }
  )
];
function Fn(t2) {
  return E2({
    author: null,
    branch: "",
    commit: "",
    root: false,
    summary: {
      changes: 0,
      insertions: 0,
      deletions: 0
    }
  }, Un, t2);
}
function Gn(t2, e, n) {
  return {
    commands: [
      "-c",
      "core.abbrev=40",
      "commit",
      ...U(t2, "-m"),
      ...e,
      ...n
    ],
    format: "utf-8",
    parser: Fn
  };
}
function zn() {
  return {
    commit(e, ...n) {
      const r2 = u(arguments), s = t2(e) || Gn(
        v(e),
        v(d(n[0], G2, [])),
        [
          ...L2(d(n[1], K2, [])),
          ...h2(arguments, 0, true)
        ]
      );
      return this._runTask(s, r2);
    }
  };
  function t2(e) {
    return !G2(e) && b2(
      "git.commit: requires the commit message to be supplied as a string/string[]"
    );
  }
}
function qn() {
  return {
    count: 0,
    garbage: 0,
    inPack: 0,
    packs: 0,
    prunePackable: 0,
    size: 0,
    sizeGarbage: 0,
    sizePack: 0
  };
}
var Wn = new l2(
  /([a-z-]+): (\d+)$/,
  (t2, [e, n]) => {
    const r2 = jt(e);
    Object.hasOwn(t2, r2) && (t2[r2] = p(n));
  }
);
function Hn() {
  return {
    countObjects() {
      return this._runTask({
        commands: ["count-objects", "--verbose"],
        format: "utf-8",
        parser(t2) {
          return E2(qn(), [Wn], t2);
        }
      });
    }
  };
}
function Kn() {
  return {
    firstCommit() {
      return this._runTask(
        g(["rev-list", "--max-parents=0", "HEAD"], true),
        u(arguments)
      );
    }
  };
}
function Vn(t2, e) {
  const n = ["hash-object", t2];
  return e && n.push("-w"), g(n, true);
}
var J2 = class {
  constructor(e, n, r2, s) {
    this.bare = e, this.path = n, this.existing = r2, this.gitDir = s;
  }
};
var Xn = /^Init.+ repository in (.+)$/;
var Yn = /^Rein.+ in (.+)$/;
function Qn(t2, e, n) {
  const r2 = String(n).trim();
  let s;
  if (s = Xn.exec(r2))
    return new J2(t2, e, false, s[1]);
  if (s = Yn.exec(r2))
    return new J2(t2, e, true, s[1]);
  let o2 = "";
  const i = r2.split(" ");
  for (; i.length; )
    if (i.shift() === "in") {
      o2 = i.join(" ");
      break;
    }
  return new J2(t2, e, /^re/i.test(r2), o2);
}
var Qt = "--bare";
function Jn(t2) {
  return t2.includes(Qt);
}
function Zn(t2 = false, e, n) {
  const r2 = ["init", ...n];
  return t2 && !Jn(r2) && r2.splice(1, 0, Qt), {
    commands: r2,
    format: "utf-8",
    parser(s) {
      return Qn(r2.includes("--bare"), e, s);
    }
  };
}
function tr(t2) {
  return t2 === void 0 ? b2("interpretTrailers called without input content") : {
    format: "utf-8",
    parser(e) {
      return Object.fromEntries(
        ut(e, (n) => {
          const r2 = n.indexOf(":");
          return [
            jt(n.substring(0, r2).toLowerCase()),
            n.substring(r2 + 2).trim()
          ];
        })
      );
    },
    commands: ["interpret-trailers", "--parse"],
    input: t2
  };
}
function er() {
  return {
    interpretTrailers(t2) {
      return this._runTask(
        tr(d(t2, Be)),
        u(arguments)
      );
    }
  };
}
var R2 = /* @__PURE__ */ ((t2) => (t2.NONE = "", t2.STAT = "--stat", t2.NUM_STAT = "--numstat", t2.NAME_ONLY = "--name-only", t2.NAME_STATUS = "--name-status", t2))(R2 || {});
var Jt = /^--(stat|numstat|name-only|name-status)(=|$)/;
function pt(t2) {
  for (let e = 0; e < t2.length; e++) {
    const n = Jt.exec(t2[e]);
    if (n)
      return `--${n[1]}`;
  }
  return "";
}
function nr(t2) {
  return Jt.test(t2);
}
var rr = class {
  constructor() {
    this.changed = 0, this.deletions = 0, this.insertions = 0, this.files = [];
  }
};
var Ot = [
  new l2(
    /^(.+)\s+\|\s+(\d+)(\s+[+\-]+)?$/,
    (t2, [e, n, r2 = ""]) => {
      t2.files.push({
        file: e.trim(),
        changes: p(n),
        insertions: r2.replace(/[^+]/g, "").length,
        deletions: r2.replace(/[^-]/g, "").length,
        binary: false
      });
    }
  ),
  new l2(
    /^(.+) \|\s+Bin ([0-9.]+) -> ([0-9.]+) ([a-z]+)/,
    (t2, [e, n, r2]) => {
      t2.files.push({
        file: e.trim(),
        before: p(n),
        after: p(r2),
        binary: true
      });
    }
  ),
  new l2(/^(.+)\s+\|\s+Bin\s*$/, (t2, [e]) => {
    t2.files.push({
      file: e.trim(),
      before: 0,
      after: 0,
      binary: true
    });
  }),
  new l2(
    /(\d+) files? changed\s*((?:, \d+ [^,]+){0,2})/,
    (t2, [e, n]) => {
      const r2 = /(\d+) i/.exec(n), s = /(\d+) d/.exec(n);
      t2.changed = p(e), t2.insertions = p(r2?.[1]), t2.deletions = p(s?.[1]);
    }
  )
];
var sr = [
  new l2(
    /(\d+)\t(\d+)\t(.+)$/,
    (t2, [e, n, r2]) => {
      const s = p(e), o2 = p(n);
      t2.changed++, t2.insertions += s, t2.deletions += o2, t2.files.push({
        file: r2,
        changes: s + o2,
        insertions: s,
        deletions: o2,
        binary: false
      });
    }
  ),
  new l2(/-\t-\t(.+)$/, (t2, [e]) => {
    t2.changed++, t2.files.push({
      file: e,
      after: 0,
      before: 0,
      binary: true
    });
  })
];
var or = [
  new l2(/(.+)$/, (t2, [e]) => {
    t2.changed++, t2.files.push({
      file: e,
      changes: 0,
      insertions: 0,
      deletions: 0,
      binary: false
    });
  })
];
var ir = [
  new l2(
    /([ACDMRTUXB])([0-9]{0,3})\t(.[^\t]*)(\t(.[^\t]*))?$/,
    (t2, [e, n, r2, s, o2]) => {
      t2.changed++, t2.files.push({
        file: o2 ?? r2,
        changes: 0,
        insertions: 0,
        deletions: 0,
        binary: false,
        status: bt(_n(e) && e),
        from: bt(!!o2 && r2 !== o2 && r2),
        similarity: p(n)
      });
    }
  )
];
var ar = {
  [R2.NONE]: Ot,
  [R2.STAT]: Ot,
  [R2.NUM_STAT]: sr,
  [R2.NAME_STATUS]: ir,
  [R2.NAME_ONLY]: or
};
function Zt(t2 = R2.NONE) {
  const e = ar[t2];
  return (n) => E2(new rr(), e, n, false);
}
var te = "\xF2\xF2\xF2\xF2\xF2\xF2 ";
var ee2 = " \xF2\xF2";
var ne2 = " \xF2 ";
var ur = ["hash", "date", "message", "refs", "author_name", "author_email"];
function cr(t2, e) {
  return e.reduce(
    (n, r2, s) => (n[r2] = t2[s] || "", n),
    /* @__PURE__ */ Object.create({ diff: null })
  );
}
function re(t2 = ne2, e = ur, n = R2.NONE) {
  const r2 = Zt(n);
  return function(s) {
    const o2 = H2(
      s.trim(),
      false,
      te
    ).map(function(i) {
      const a = i.split(ee2), c3 = cr(a[0].split(t2), e);
      return a.length > 1 && a[1].trim() && (c3.diff = r2(a[1])), c3;
    });
    return {
      all: o2,
      latest: o2.length && o2[0] || null,
      total: o2.length
    };
  };
}
function fr(t2) {
  let e = pt(t2);
  const n = ["diff"];
  return e === R2.NONE && (e = R2.STAT, n.push("--stat=4096")), n.push(...t2), dt(n) || {
    commands: n,
    format: "utf-8",
    parser: Zt(e)
  };
}
function dt(t2) {
  const e = t2.filter(nr);
  if (e.length > 1)
    return b2(
      `Summary flags are mutually exclusive - pick one of ${e.join(",")}`
    );
  if (e.length && t2.includes("-z"))
    return b2(
      `Summary flag ${e} parsing is not compatible with null termination option '-z'`
    );
}
var se = /* @__PURE__ */ ((t2) => (t2[t2["--pretty"] = 0] = "--pretty", t2[t2["max-count"] = 1] = "max-count", t2[t2.maxCount = 2] = "maxCount", t2[t2.n = 3] = "n", t2[t2.file = 4] = "file", t2[t2.format = 5] = "format", t2[t2.from = 6] = "from", t2[t2.to = 7] = "to", t2[t2.splitter = 8] = "splitter", t2[t2.symmetric = 9] = "symmetric", t2[t2.mailMap = 10] = "mailMap", t2[t2.multiLine = 11] = "multiLine", t2[t2.strictDate = 12] = "strictDate", t2))(se || {});
function lr(t2, e) {
  const n = [], r2 = [];
  return Object.keys(t2).forEach((s) => {
    n.push(s), r2.push(String(t2[s]));
  }), [n, r2.join(e)];
}
function hr(t2) {
  return Object.keys(t2).reduce((e, n) => (n in se || (e[n] = t2[n]), e), {});
}
function oe2(t2 = {}, e = []) {
  const n = d(t2.splitter, m, ne2), r2 = lt(t2.format) ? t2.format : {
    hash: "%H",
    date: t2.strictDate === false ? "%ai" : "%aI",
    message: "%s",
    refs: "%D",
    body: t2.multiLine ? "%B" : "%b",
    author_name: t2.mailMap !== false ? "%aN" : "%an",
    author_email: t2.mailMap !== false ? "%aE" : "%ae"
  }, [s, o2] = lr(r2, n), i = [], a = [
    `--pretty=format:${te}${o2}${ee2}`,
    ...e
  ], c3 = t2.n || t2["max-count"] || t2.maxCount;
  if (c3 && a.push(`--max-count=${c3}`), t2.from || t2.to) {
    const y2 = t2.symmetric !== false ? "..." : "..";
    i.push(`${t2.from || ""}${y2}${t2.to || ""}`);
  }
  return m(t2.file) && a.push("--follow", c(t2.file)), It(hr(t2), a), {
    fields: s,
    splitter: n,
    commands: [...a, ...i]
  };
}
function mr(t2, e, n) {
  const r2 = re(t2, e, pt(n));
  return {
    commands: ["log", ...n],
    format: "utf-8",
    parser: r2
  };
}
function pr() {
  return {
    log(...n) {
      const r2 = u(arguments), s = oe2(
        ht(arguments),
        L2(d(arguments[0], K2, []))
      ), o2 = e(...n) || dt(s.commands) || t2(s);
      return this._runTask(o2, r2);
    }
  };
  function t2(n) {
    return mr(n.splitter, n.fields, n.commands);
  }
  function e(n, r2) {
    return m(n) && m(r2) && b2(
      "git.log(string, string) should be replaced with git.log({ from: string, to: string })"
    );
  }
}
var Z2 = class {
  constructor(e, n = null, r2) {
    this.reason = e, this.file = n, this.meta = r2;
  }
  toString() {
    return `${this.file}:${this.reason}`;
  }
};
var dr = class {
  constructor() {
    this.conflicts = [], this.merges = [], this.result = "success";
  }
  get failed() {
    return this.conflicts.length > 0;
  }
  get reason() {
    return this.result;
  }
  toString() {
    return this.conflicts.length ? `CONFLICTS: ${this.conflicts.join(", ")}` : "OK";
  }
};
var ie = class {
  constructor() {
    this.remoteMessages = {
      all: []
    }, this.created = [], this.deleted = [], this.files = [], this.deletions = {}, this.insertions = {}, this.summary = {
      changes: 0,
      deletions: 0,
      insertions: 0
    };
  }
};
var gr = class {
  constructor() {
    this.remote = "", this.hash = {
      local: "",
      remote: ""
    }, this.branch = {
      local: "",
      remote: ""
    }, this.message = "";
  }
  toString() {
    return this.message;
  }
};
function tt(t2) {
  return t2.objects = t2.objects || {
    compressing: 0,
    counting: 0,
    enumerating: 0,
    packReused: 0,
    reused: { count: 0, delta: 0 },
    total: { count: 0, delta: 0 }
  };
}
function Ct(t2) {
  const e = /^\s*(\d+)/.exec(t2), n = /delta (\d+)/i.exec(t2);
  return {
    count: p(e && e[1] || "0"),
    delta: p(n && n[1] || "0")
  };
}
var yr = [
  new x2(
    /^remote:\s*(enumerating|counting|compressing) objects: (\d+),/i,
    (t2, [e, n]) => {
      const r2 = e.toLowerCase(), s = tt(t2.remoteMessages);
      Object.assign(s, { [r2]: p(n) });
    }
  ),
  new x2(
    /^remote:\s*(enumerating|counting|compressing) objects: \d+% \(\d+\/(\d+)\),/i,
    (t2, [e, n]) => {
      const r2 = e.toLowerCase(), s = tt(t2.remoteMessages);
      Object.assign(s, { [r2]: p(n) });
    }
  ),
  new x2(
    /total ([^,]+), reused ([^,]+), pack-reused (\d+)/i,
    (t2, [e, n, r2]) => {
      const s = tt(t2.remoteMessages);
      s.total = Ct(e), s.reused = Ct(n), s.packReused = p(r2);
    }
  )
];
var wr = [
  new x2(/^remote:\s*(.+)$/, (t2, [e]) => (t2.remoteMessages.all.push(e.trim()), false)),
  ...yr,
  new x2(
    [/create a (?:pull|merge) request/i, /\s(https?:\/\/\S+)$/],
    (t2, [e]) => {
      t2.remoteMessages.pullRequestUrl = e;
    }
  ),
  new x2(
    [/found (\d+) vulnerabilities.+\(([^)]+)\)/i, /\s(https?:\/\/\S+)$/],
    (t2, [e, n, r2]) => {
      t2.remoteMessages.vulnerabilities = {
        count: p(e),
        summary: n,
        url: r2
      };
    }
  )
];
function ae(t2, e) {
  return E2({ remoteMessages: new br() }, wr, e);
}
var br = class {
  constructor() {
    this.all = [];
  }
};
var Tr = /^\s*(.+?)\s+\|\s+\d+\s*(\+*)(-*)/;
var kr = /(\d+)\D+((\d+)\D+\(\+\))?(\D+(\d+)\D+\(-\))?/;
var _r = /^(create|delete) mode \d+ (.+)/;
var vr = [
  new l2(Tr, (t2, [e, n, r2]) => {
    t2.files.push(e), n && (t2.insertions[e] = n.length), r2 && (t2.deletions[e] = r2.length);
  }),
  new l2(kr, (t2, [e, , n, , r2]) => n !== void 0 || r2 !== void 0 ? (t2.summary.changes = +e || 0, t2.summary.insertions = +n || 0, t2.summary.deletions = +r2 || 0, true) : false),
  new l2(_r, (t2, [e, n]) => {
    S2(t2.files, n), S2(e === "create" ? t2.created : t2.deleted, n);
  })
];
var Er = [
  new l2(/^from\s(.+)$/i, (t2, [e]) => {
    t2.remote = e;
  }),
  new l2(/^fatal:\s(.+)$/, (t2, [e]) => {
    t2.message = e;
  }),
  new l2(
    /([a-z0-9]+)\.\.([a-z0-9]+)\s+(\S+)\s+->\s+(\S+)$/,
    (t2, [e, n, r2, s]) => {
      t2.branch.local = r2, t2.hash.local = e, t2.branch.remote = s, t2.hash.remote = n;
    }
  )
];
var Sr = (t2, e) => E2(new ie(), vr, [t2, e]);
var ue = (t2, e) => Object.assign(
  new ie(),
  Sr(t2, e),
  ae(t2, e)
);
function Rr(t2, e) {
  const n = E2(new gr(), Er, [t2, e]);
  return n.message && n;
}
var Or = [
  new l2(/^Auto-merging\s+(.+)$/, (t2, [e]) => {
    t2.merges.push(e);
  }),
  new l2(/^CONFLICT\s+\((.+)\): Merge conflict in (.+)$/, (t2, [e, n]) => {
    t2.conflicts.push(new Z2(e, n));
  }),
  new l2(
    /^CONFLICT\s+\((.+\/delete)\): (.+) deleted in (.+) and/,
    (t2, [e, n, r2]) => {
      t2.conflicts.push(new Z2(e, n, { deleteRef: r2 }));
    }
  ),
  new l2(/^CONFLICT\s+\((.+)\):/, (t2, [e]) => {
    t2.conflicts.push(new Z2(e, null));
  }),
  new l2(/^Automatic merge failed;\s+(.+)$/, (t2, [e]) => {
    t2.result = e;
  })
];
var Cr = (t2, e) => Object.assign(Ar(t2), ue(t2, e));
var Ar = (t2) => E2(new dr(), Or, t2);
function At(t2) {
  return t2.length ? {
    commands: ["merge", ...t2],
    format: "utf-8",
    parser(e, n) {
      const r2 = Cr(e, n);
      if (r2.failed)
        throw new at(r2);
      return r2;
    }
  } : b2("Git.merge requires at least one option");
}
function xr(t2, e, n) {
  const r2 = n.includes("deleted"), s = n.includes("tag") || /^refs\/tags/.test(t2), o2 = !n.includes("new");
  return {
    deleted: r2,
    tag: s,
    branch: !s,
    new: !o2,
    alreadyUpdated: o2,
    local: t2,
    remote: e
  };
}
var Nr = [
  new l2(/^Pushing to (.+)$/, (t2, [e]) => {
    t2.repo = e;
  }),
  new l2(/^updating local tracking ref '(.+)'/, (t2, [e]) => {
    t2.ref = {
      ...t2.ref || {},
      local: e
    };
  }),
  new l2(/^[=*-]\s+([^:]+):(\S+)\s+\[(.+)]$/, (t2, [e, n, r2]) => {
    t2.pushed.push(xr(e, n, r2));
  }),
  new l2(
    /^Branch '([^']+)' set up to track remote branch '([^']+)' from '([^']+)'/,
    (t2, [e, n, r2]) => {
      t2.branch = {
        ...t2.branch || {},
        local: e,
        remote: n,
        remoteName: r2
      };
    }
  ),
  new l2(
    /^([^:]+):(\S+)\s+([a-z0-9]+)\.\.([a-z0-9]+)$/,
    (t2, [e, n, r2, s]) => {
      t2.update = {
        head: {
          local: e,
          remote: n
        },
        hash: {
          from: r2,
          to: s
        }
      };
    }
  )
];
var $r = (t2, e) => {
  const n = Pr(t2, e), r2 = ae(t2, e);
  return {
    ...n,
    ...r2
  };
};
var Pr = (t2, e) => E2({ pushed: [] }, Nr, [t2, e]);
function Mr(t2 = {}, e) {
  return S2(e, "--tags"), ce(t2, e);
}
function ce(t2 = {}, e) {
  const n = ["push", ...e];
  return t2.branch && n.splice(1, 0, t2.branch), t2.remote && n.splice(1, 0, t2.remote), ct(n, "-v"), S2(n, "--verbose"), S2(n, "--porcelain"), {
    commands: n,
    format: "utf-8",
    parser: $r
  };
}
function Dr() {
  return {
    showBuffer() {
      const t2 = ["show", ...h2(arguments, 1)];
      return t2.includes("--binary") || t2.splice(1, 0, "--binary"), this._runTask(
        Gt(t2),
        u(arguments)
      );
    },
    show() {
      const t2 = ["show", ...h2(arguments, 1)];
      return this._runTask(
        g(t2),
        u(arguments)
      );
    }
  };
}
var Lr = /^(.+)\0(.+)$/;
var jr = class {
  constructor(e, n, r2) {
    if (this.path = e, this.index = n, this.working_dir = r2, n === "R" || r2 === "R") {
      const s = Lr.exec(e) || [null, e, e];
      this.from = s[2] || "", this.path = s[1] || "";
    }
  }
};
var Br = class {
  constructor() {
    this.not_added = [], this.conflicted = [], this.created = [], this.deleted = [], this.ignored = void 0, this.modified = [], this.renamed = [], this.files = [], this.staged = [], this.ahead = 0, this.behind = 0, this.current = null, this.tracking = null, this.detached = false, this.isClean = () => !this.files.length;
  }
};
function xt(t2) {
  const [e, n] = t2.split(I2);
  return {
    from: n || e,
    to: e
  };
}
function _2(t2, e, n) {
  return [`${t2}${e}`, n];
}
function et(t2, ...e) {
  return e.map((n) => _2(t2, n, (r2, s) => r2.conflicted.push(s)));
}
var Ir = new Map([
  _2(
    " ",
    "A",
    (t2, e) => t2.created.push(e)
  ),
  _2(
    " ",
    "D",
    (t2, e) => t2.deleted.push(e)
  ),
  _2(
    " ",
    "M",
    (t2, e) => t2.modified.push(e)
  ),
  _2("A", " ", (t2, e) => {
    t2.created.push(e), t2.staged.push(e);
  }),
  _2("A", "M", (t2, e) => {
    t2.created.push(e), t2.staged.push(e), t2.modified.push(e);
  }),
  _2("D", " ", (t2, e) => {
    t2.deleted.push(e), t2.staged.push(e);
  }),
  _2("M", " ", (t2, e) => {
    t2.modified.push(e), t2.staged.push(e);
  }),
  _2("M", "M", (t2, e) => {
    t2.modified.push(e), t2.staged.push(e);
  }),
  _2("R", " ", (t2, e) => {
    t2.renamed.push(xt(e));
  }),
  _2("R", "M", (t2, e) => {
    const n = xt(e);
    t2.renamed.push(n), t2.modified.push(n.to);
  }),
  _2("!", "!", (t2, e) => {
    (t2.ignored = t2.ignored || []).push(e);
  }),
  _2(
    "?",
    "?",
    (t2, e) => t2.not_added.push(e)
  ),
  ...et(
    "A",
    "A",
    "U"
    /* UNMERGED */
  ),
  ...et(
    "D",
    "D",
    "U"
    /* UNMERGED */
  ),
  ...et(
    "U",
    "A",
    "D",
    "U"
    /* UNMERGED */
  ),
  [
    "##",
    (t2, e) => {
      const n = /ahead (\d+)/, r2 = /behind (\d+)/, s = /^(.+?(?=(?:\.{3}|\s|$)))/, o2 = /\.{3}(\S*)/, i = /\son\s(\S+?)(?=\.{3}|$)/;
      let a = n.exec(e);
      t2.ahead = a && +a[1] || 0, a = r2.exec(e), t2.behind = a && +a[1] || 0, a = s.exec(e), t2.current = d(a?.[1], m, null), a = o2.exec(e), t2.tracking = d(a?.[1], m, null), a = i.exec(e), a && (t2.current = d(a?.[1], m, t2.current)), t2.detached = /\(no branch\)/.test(e);
    }
  ]
]);
var Ur = function(t2) {
  const e = t2.split(I2), n = new Br();
  for (let r2 = 0, s = e.length; r2 < s; ) {
    let o2 = e[r2++].trim();
    o2 && (o2.charAt(0) === "R" && (o2 += I2 + (e[r2++] || "")), Fr(n, o2));
  }
  return n;
};
function Fr(t2, e) {
  const n = e.trim();
  switch (" ") {
    case n.charAt(2):
      return r2(n.charAt(0), n.charAt(1), n.slice(3));
    case n.charAt(1):
      return r2(" ", n.charAt(0), n.slice(2));
    default:
      return;
  }
  function r2(s, o2, i) {
    const a = `${s}${o2}`, c3 = Ir.get(a);
    c3 && c3(t2, i), a !== "##" && a !== "!!" && t2.files.push(new jr(i, s, o2));
  }
}
var Gr = ["--null", "-z"];
function zr(t2) {
  return {
    format: "utf-8",
    commands: [
      "status",
      "--porcelain",
      "-b",
      "-u",
      "--null",
      ...t2.filter((n) => !Gr.includes(n))
    ],
    parser(n) {
      return Ur(n);
    }
  };
}
var fe = "installed=false";
function q2(t2 = 0, e = 0, n = 0, r2 = "", s = true) {
  return Object.defineProperty(
    {
      major: t2,
      minor: e,
      patch: n,
      agent: r2,
      installed: s
    },
    "toString",
    {
      value() {
        return `${this.major}.${this.minor}.${this.patch}`;
      },
      configurable: false,
      enumerable: false
    }
  );
}
function qr() {
  return q2(0, 0, 0, "", false);
}
function Wr() {
  return {
    version() {
      return this._runTask({
        commands: ["--version"],
        format: "utf-8",
        parser: Kr,
        onError(t2, e, n, r2) {
          if (t2.exitCode === V2.NOT_FOUND)
            return n(Buffer.from(fe));
          r2(e);
        }
      });
    }
  };
}
var Hr = [
  new l2(
    /version (\d+)\.(\d+)\.(\d+)(?:\s*\((.+)\))?/,
    (t2, [e, n, r2, s = ""]) => {
      Object.assign(
        t2,
        q2(p(e), p(n), p(r2), s)
      );
    }
  ),
  new l2(
    /version (\d+)\.(\d+)\.(\D+)(.+)?$/,
    (t2, [e, n, r2, s = ""]) => {
      Object.assign(t2, q2(p(e), p(n), r2, s));
    }
  )
];
function Kr(t2) {
  return t2 === fe ? qr() : E2(q2(0, 0, 0, t2), Hr, t2);
}
var le = class {
  constructor(e) {
    this._executor = e;
  }
  _runTask(e, n) {
    const r2 = this._executor.chain(), s = r2.push(e);
    return n && Ln(e, s, n), Object.create(this, {
      then: { value: s.then.bind(s) },
      catch: { value: s.catch.bind(s) },
      _executor: { value: r2 }
    });
  }
  add(e) {
    return this._runTask(
      g(["add", ...v(e)]),
      u(arguments)
    );
  }
  cwd(e) {
    const n = u(arguments);
    return typeof e == "string" ? this._runTask(St(e, this._executor), n) : typeof e?.path == "string" ? this._runTask(
      St(
        e.path,
        e.root && this._executor || void 0
      ),
      n
    ) : this._runTask(
      b2("Git.cwd: workingDirectory must be supplied as a string"),
      n
    );
  }
  hashObject(e, n) {
    return this._runTask(
      Vn(e, n === true),
      u(arguments)
    );
  }
  init(e) {
    return this._runTask(
      Zn(e === true, this._executor.cwd, h2(arguments)),
      u(arguments)
    );
  }
  merge() {
    return this._runTask(
      At(h2(arguments)),
      u(arguments)
    );
  }
  mergeFromTo(e, n) {
    return m(e) && m(n) ? this._runTask(
      At([e, n, ...h2(arguments)]),
      u(arguments, false)
    ) : this._runTask(
      b2(
        "Git.mergeFromTo requires that the 'remote' and 'branch' arguments are supplied as strings"
      )
    );
  }
  outputHandler(e) {
    return this._executor.outputHandler = e, this;
  }
  push() {
    const e = ce(
      {
        remote: d(arguments[0], m),
        branch: d(arguments[1], m)
      },
      h2(arguments)
    );
    return this._runTask(e, u(arguments));
  }
  stash() {
    return this._runTask(
      g(["stash", ...h2(arguments)]),
      u(arguments)
    );
  }
  status() {
    return this._runTask(
      zr(h2(arguments)),
      u(arguments)
    );
  }
};
Object.assign(
  le.prototype,
  jn(),
  In(),
  zn(),
  Tn(),
  Hn(),
  Kn(),
  On(),
  er(),
  pr(),
  Dr(),
  Wr()
);
var Vr = /* @__PURE__ */ (() => {
  let t2 = 0;
  return () => {
    t2++;
    const { promise: e, done: n } = (0, import_promise_deferred.createDeferred)();
    return {
      promise: e,
      done: n,
      id: t2
    };
  };
})();
var Xr = class {
  constructor(e = 2) {
    this.concurrency = e, this.logger = $2("", "scheduler"), this.pending = [], this.running = [], this.logger("Constructed, concurrency=%s", e);
  }
  schedule() {
    if (!this.pending.length || this.running.length >= this.concurrency) {
      this.logger(
        "Schedule attempt ignored, pending=%s running=%s concurrency=%s",
        this.pending.length,
        this.running.length,
        this.concurrency
      );
      return;
    }
    const e = S2(this.running, this.pending.shift());
    this.logger("Attempting id=%s", e.id), e.done(() => {
      this.logger("Completing id=", e.id), ct(this.running, e), this.schedule();
    });
  }
  next() {
    const { promise: e, id: n } = S2(this.pending, Vr());
    return this.logger("Scheduling id=%s", n), this.schedule(), e;
  }
};
function Yr(t2, e) {
  return g(["apply", ...e, ...t2]);
}
var he = /* @__PURE__ */ ((t2) => (t2.CURRENT = "*", t2.LINKED = "+", t2))(he || {});
var Qr = class {
  constructor() {
    this.all = [], this.branches = {}, this.current = "", this.detached = false;
  }
  push(e, n, r2, s, o2) {
    e === "*" && (this.detached = n, this.current = r2), this.all.push(r2), this.branches[r2] = {
      current: e === "*",
      linkedWorkTree: e === "+",
      name: r2,
      commit: s,
      label: o2
    };
  }
};
var Jr = [
  new l2(
    /^([*+]\s)?\((?:HEAD )?detached (?:from|at) (\S+)\)\s+([a-z0-9]+)\s(.*)$/,
    (t2, [e, n, r2, s]) => {
      t2.push(Nt(e), true, n, r2, s);
    }
  ),
  new l2(
    /^([*+]\s)?(\S+)\s+([a-z0-9]+)\s?(.*)$/s,
    (t2, [e, n, r2, s]) => {
      t2.push(Nt(e), false, n, r2, s);
    }
  )
];
var Zr = new l2(/^(\S+)$/s, (t2, [e]) => {
  t2.push(he.CURRENT, false, e, "", "");
});
function Nt(t2) {
  return t2 ? t2.charAt(0) : "";
}
function me(t2, e = false) {
  return E2(
    new Qr(),
    e ? [Zr] : Jr,
    t2
  );
}
var ts = class {
  constructor() {
    this.all = [], this.branches = {}, this.errors = [];
  }
  get success() {
    return !this.errors.length;
  }
};
function es(t2, e) {
  return {
    branch: t2,
    hash: e,
    success: true
  };
}
function ns(t2) {
  return {
    branch: t2,
    hash: null,
    success: false
  };
}
var rs = /(\S+)\s+\(\S+\s([^)]+)\)/;
var pe = /^error[^']+'([^']+)'/m;
var ss = [
  new l2(rs, (t2, [e, n]) => {
    const r2 = es(e, n);
    t2.all.push(r2), t2.branches[e] = r2;
  }),
  new l2(pe, (t2, [e]) => {
    const n = ns(e);
    t2.errors.push(n), t2.all.push(n), t2.branches[e] = n;
  })
];
var gt = (t2, e) => E2(new ts(), ss, [t2, e]);
function de(t2, e) {
  return e === V2.ERROR && pe.test(t2);
}
function os(t2) {
  const e = ["-d", "-D", "--delete"];
  return t2.some((n) => e.includes(n));
}
function is(t2) {
  const e = os(t2), n = t2.includes("--show-current"), r2 = ["branch", ...t2];
  return r2.length === 1 && r2.push("-a"), r2.includes("-v") || r2.splice(1, 0, "-v"), {
    format: "utf-8",
    commands: r2,
    parser(s, o2) {
      return e ? gt(s, o2).all[0] : me(s, n);
    }
  };
}
function as() {
  return {
    format: "utf-8",
    commands: ["branch", "-v"],
    parser(t2) {
      return me(t2);
    }
  };
}
function us(t2, e = false) {
  return {
    format: "utf-8",
    commands: ["branch", "-v", e ? "-D" : "-d", ...t2],
    parser(n, r2) {
      return gt(n, r2);
    },
    onError({ exitCode: n, stdOut: r2 }, s, o2, i) {
      if (!de(String(s), n))
        return i(s);
      o2(r2);
    }
  };
}
function cs(t2, e = false) {
  const n = {
    format: "utf-8",
    commands: ["branch", "-v", e ? "-D" : "-d", t2],
    parser(r2, s) {
      return gt(r2, s).branches[t2];
    },
    onError({ exitCode: r2, stdErr: s, stdOut: o2 }, i, a, c3) {
      if (!de(String(i), r2))
        return c3(i);
      throw new at(
        n.parser(F2(o2), F2(s)),
        String(i)
      );
    }
  };
  return n;
}
function fs(t2) {
  return {
    commands: ["check-ignore", ...t2],
    format: "utf-8",
    parser: ls
  };
}
function ls(t2) {
  return t2.split(/\n/g).map(hs).filter(Boolean);
}
function hs(t2) {
  const e = t2.trim().replace(/^["']|["']$/g, "");
  return e && Se(e);
}
var ms = [
  new l2(/From (.+)$/, (t2, [e]) => {
    t2.remote = e;
  }),
  new l2(/\* \[new branch]\s+(\S+)\s*-> (.+)$/, (t2, [e, n]) => {
    t2.branches.push({
      name: e,
      tracking: n
    });
  }),
  new l2(/\* \[new tag]\s+(\S+)\s*-> (.+)$/, (t2, [e, n]) => {
    t2.tags.push({
      name: e,
      tracking: n
    });
  }),
  new l2(/- \[deleted]\s+\S+\s*-> (.+)$/, (t2, [e]) => {
    t2.deleted.push({
      tracking: e
    });
  }),
  new l2(
    /\s*([^.]+)\.\.(\S+)\s+(\S+)\s*-> (.+)$/,
    (t2, [e, n, r2, s]) => {
      t2.updated.push({
        name: r2,
        tracking: s,
        to: n,
        from: e
      });
    }
  )
];
function ps(t2, e) {
  return E2({
    raw: t2,
    remote: null,
    branches: [],
    tags: [],
    updated: [],
    deleted: []
  }, ms, [t2, e]);
}
function ds(t2) {
  return /^--upload-pack(=|$)/.test(t2);
}
function gs(t2, e, n) {
  const r2 = ["fetch", ...n];
  return t2 && e && r2.push(t2, e), r2.find(ds) ? b2("git.fetch: potential exploit argument blocked.") : {
    commands: r2,
    format: "utf-8",
    parser: ps
  };
}
var ys = [
  new l2(/^Renaming (.+) to (.+)$/, (t2, [e, n]) => {
    t2.moves.push({ from: e, to: n });
  })
];
function ws(t2) {
  return E2({ moves: [] }, ys, t2);
}
function bs(t2, e) {
  return {
    commands: ["mv", "-v", ...v(t2), e],
    format: "utf-8",
    parser: ws
  };
}
function Ts(t2, e, n) {
  const r2 = ["pull", ...n];
  return t2 && e && r2.splice(1, 0, t2, e), {
    commands: r2,
    format: "utf-8",
    parser(s, o2) {
      return ue(s, o2);
    },
    onError(s, o2, i, a) {
      const c3 = Rr(
        F2(s.stdOut),
        F2(s.stdErr)
      );
      if (c3)
        return a(new at(c3));
      a(o2);
    }
  };
}
function ks(t2) {
  const e = {};
  return ge(t2, ([n]) => e[n] = { name: n }), Object.values(e);
}
function _s(t2) {
  const e = {};
  return ge(t2, ([n, r2, s]) => {
    Object.hasOwn(e, n) || (e[n] = {
      name: n,
      refs: { fetch: "", push: "" }
    }), s && r2 && (e[n].refs[s.replace(/[^a-z]/g, "")] = r2);
  }), Object.values(e);
}
function ge(t2, e) {
  ut(t2, (n) => e(n.split(/\s+/)));
}
function vs(t2, e, n) {
  return g(["remote", "add", ...n, t2, e]);
}
function Es(t2) {
  const e = ["remote"];
  return t2 && e.push("-v"), {
    commands: e,
    format: "utf-8",
    parser: t2 ? _s : ks
  };
}
function Ss(t2) {
  const e = [...t2];
  return e[0] !== "ls-remote" && e.unshift("ls-remote"), g(e);
}
function Rs(t2) {
  const e = [...t2];
  return e[0] !== "remote" && e.unshift("remote"), g(e);
}
function Os(t2) {
  return g(["remote", "remove", t2]);
}
function Cs(t2 = {}, e) {
  const n = oe2(t2), r2 = ["stash", "list", ...n.commands, ...e], s = re(
    n.splitter,
    n.fields,
    pt(r2)
  );
  return dt(r2) || {
    commands: r2,
    format: "utf-8",
    parser: s
  };
}
function As(t2, e) {
  return X2(["add", t2, e]);
}
function xs(t2) {
  return X2(["init", ...t2]);
}
function X2(t2) {
  const e = [...t2];
  return e[0] !== "submodule" && e.unshift("submodule"), g(e);
}
function Ns(t2) {
  return X2(["update", ...t2]);
}
var $s = class {
  constructor(e, n) {
    this.all = e, this.latest = n;
  }
};
var Ps = function(t2, e = false) {
  const n = t2.split(`
`).map(Ds).filter(Boolean);
  e || n.sort(function(s, o2) {
    const i = s.split("."), a = o2.split(".");
    if (i.length === 1 || a.length === 1)
      return Ms(B2(i[0]), B2(a[0]));
    for (let c3 = 0, y2 = Math.max(i.length, a.length); c3 < y2; c3++) {
      const w2 = ye(B2(i[c3]), B2(a[c3]));
      if (w2)
        return w2;
    }
    return 0;
  });
  const r2 = e ? n[0] : [...n].reverse().find((s) => s.indexOf(".") >= 0);
  return new $s(n, r2);
};
function Ms(t2, e) {
  const n = Number.isNaN(t2), r2 = Number.isNaN(e);
  return n !== r2 ? n ? 1 : -1 : n ? ye(t2, e) : 0;
}
function ye(t2, e) {
  return t2 === e ? 0 : t2 > e ? 1 : -1;
}
function Ds(t2) {
  return t2.trim();
}
function B2(t2) {
  return typeof t2 == "string" && parseInt(t2.replace(/^\D+/g, ""), 10) || 0;
}
function Ls(t2 = []) {
  const e = t2.some((n) => /^--sort=/.test(n));
  return {
    format: "utf-8",
    commands: ["tag", "-l", ...t2],
    parser(n) {
      return Ps(n, e);
    }
  };
}
function js(t2) {
  return {
    format: "utf-8",
    commands: ["tag", t2],
    parser() {
      return { name: t2 };
    }
  };
}
function Bs(t2, e) {
  return {
    format: "utf-8",
    commands: ["tag", "-a", "-m", e, t2],
    parser() {
      return { name: t2 };
    }
  };
}
function f2(t2, e) {
  this._plugins = e, this._executor = new Dn(
    t2.baseDir,
    new Xr(t2.maxConcurrentProcesses),
    e
  ), this._trimmed = t2.trimmed;
}
(f2.prototype = Object.create(le.prototype)).constructor = f2;
f2.prototype.customBinary = function(t2) {
  return this._plugins.reconfigure("binary", t2), this;
};
f2.prototype.env = function(t2, e) {
  return arguments.length === 1 && typeof t2 == "object" ? this._executor.env = t2 : (this._executor.env = this._executor.env || {})[t2] = e, this;
};
f2.prototype.stashList = function(t2) {
  return this._runTask(
    Cs(
      ht(arguments) || {},
      K2(t2) && t2 || []
    ),
    u(arguments)
  );
};
f2.prototype.mv = function(t2, e) {
  return this._runTask(bs(t2, e), u(arguments));
};
f2.prototype.checkoutLatestTag = function(t2) {
  var e = this;
  return this.pull(function() {
    e.tags(function(n, r2) {
      e.checkout(r2.latest, t2);
    });
  });
};
f2.prototype.pull = function(t2, e, n, r2) {
  return this._runTask(
    Ts(
      d(t2, m),
      d(e, m),
      h2(arguments)
    ),
    u(arguments)
  );
};
f2.prototype.fetch = function(t2, e) {
  return this._runTask(
    gs(
      d(t2, m),
      d(e, m),
      h2(arguments)
    ),
    u(arguments)
  );
};
f2.prototype.tags = function(t2, e) {
  return this._runTask(
    Ls(h2(arguments)),
    u(arguments)
  );
};
f2.prototype.rebase = function() {
  return this._runTask(
    g(["rebase", ...h2(arguments)]),
    u(arguments)
  );
};
f2.prototype.reset = function(t2) {
  return this._runTask(
    An(xn(t2), h2(arguments)),
    u(arguments)
  );
};
f2.prototype.revert = function(t2) {
  const e = u(arguments);
  return typeof t2 != "string" ? this._runTask(b2("Commit must be a string"), e) : this._runTask(
    g(["revert", ...h2(arguments, 0, true), t2]),
    e
  );
};
f2.prototype.addTag = function(t2) {
  const e = typeof t2 == "string" ? js(t2) : b2("Git.addTag requires a tag name");
  return this._runTask(e, u(arguments));
};
f2.prototype.addAnnotatedTag = function(t2, e) {
  return this._runTask(
    Bs(t2, e),
    u(arguments)
  );
};
f2.prototype.deleteLocalBranch = function(t2, e, n) {
  return this._runTask(
    cs(t2, typeof e == "boolean" ? e : false),
    u(arguments)
  );
};
f2.prototype.deleteLocalBranches = function(t2, e, n) {
  return this._runTask(
    us(t2, typeof e == "boolean" ? e : false),
    u(arguments)
  );
};
f2.prototype.branch = function(t2, e) {
  return this._runTask(
    is(h2(arguments)),
    u(arguments)
  );
};
f2.prototype.branchLocal = function(t2) {
  return this._runTask(as(), u(arguments));
};
f2.prototype.raw = function(t2) {
  const e = !Array.isArray(t2), n = [].slice.call(e ? arguments : t2, 0);
  for (let s = 0; s < n.length && e; s++)
    if (!st(n[s])) {
      n.splice(s, n.length - s);
      break;
    }
  n.push(...h2(arguments, 0, true));
  var r2 = u(arguments);
  return n.length ? this._runTask(g(n, this._trimmed), r2) : this._runTask(
    b2("Raw: must supply one or more command to execute"),
    r2
  );
};
f2.prototype.submoduleAdd = function(t2, e, n) {
  return this._runTask(As(t2, e), u(arguments));
};
f2.prototype.submoduleUpdate = function(t2, e) {
  return this._runTask(
    Ns(h2(arguments, true)),
    u(arguments)
  );
};
f2.prototype.submoduleInit = function(t2, e) {
  return this._runTask(
    xs(h2(arguments, true)),
    u(arguments)
  );
};
f2.prototype.subModule = function(t2, e) {
  return this._runTask(
    X2(h2(arguments)),
    u(arguments)
  );
};
f2.prototype.listRemote = function() {
  return this._runTask(
    Ss(h2(arguments)),
    u(arguments)
  );
};
f2.prototype.addRemote = function(t2, e, n) {
  return this._runTask(
    vs(t2, e, h2(arguments)),
    u(arguments)
  );
};
f2.prototype.removeRemote = function(t2, e) {
  return this._runTask(Os(t2), u(arguments));
};
f2.prototype.getRemotes = function(t2, e) {
  return this._runTask(Es(t2 === true), u(arguments));
};
f2.prototype.remote = function(t2, e) {
  return this._runTask(
    Rs(h2(arguments)),
    u(arguments)
  );
};
f2.prototype.tag = function(t2, e) {
  const n = h2(arguments);
  return n[0] !== "tag" && n.unshift("tag"), this._runTask(g(n), u(arguments));
};
f2.prototype.updateServerInfo = function(t2) {
  return this._runTask(
    g(["update-server-info"]),
    u(arguments)
  );
};
f2.prototype.pushTags = function(t2, e) {
  const n = Mr(
    { remote: d(t2, m) },
    h2(arguments)
  );
  return this._runTask(n, u(arguments));
};
f2.prototype.rm = function(t2) {
  return this._runTask(
    g(["rm", "-f", ...v(t2)]),
    u(arguments)
  );
};
f2.prototype.rmKeepLocal = function(t2) {
  return this._runTask(
    g(["rm", "--cached", ...v(t2)]),
    u(arguments)
  );
};
f2.prototype.catFile = function(t2, e) {
  return this._catFile("utf-8", arguments);
};
f2.prototype.binaryCatFile = function() {
  return this._catFile("buffer", arguments);
};
f2.prototype._catFile = function(t2, e) {
  var n = u(e), r2 = ["cat-file"], s = e[0];
  if (typeof s == "string")
    return this._runTask(
      b2("Git.catFile: options must be supplied as an array of strings"),
      n
    );
  Array.isArray(s) && r2.push.apply(r2, s);
  const o2 = t2 === "buffer" ? Gt(r2) : g(r2);
  return this._runTask(o2, n);
};
f2.prototype.diff = function(t2, e) {
  const n = m(t2) ? b2(
    "git.diff: supplying options as a single string is no longer supported, switch to an array of strings"
  ) : g(["diff", ...h2(arguments)]);
  return this._runTask(n, u(arguments));
};
f2.prototype.diffSummary = function() {
  return this._runTask(
    fr(h2(arguments, 1)),
    u(arguments)
  );
};
f2.prototype.applyPatch = function(t2) {
  const e = G2(t2) ? Yr(v(t2), h2([].slice.call(arguments, 1))) : b2(
    "git.applyPatch requires one or more string patches as the first argument"
  );
  return this._runTask(e, u(arguments));
};
f2.prototype.revparse = function() {
  const t2 = ["rev-parse", ...h2(arguments, true)];
  return this._runTask(
    g(t2, true),
    u(arguments)
  );
};
f2.prototype.clean = function(t2, e, n) {
  const r2 = un(t2), s = r2 && t2.join("") || d(t2, m) || "", o2 = h2([].slice.call(arguments, r2 ? 1 : 0));
  return this._runTask(
    on(s, o2),
    u(arguments)
  );
};
f2.prototype.exec = function(t2) {
  const e = {
    commands: [],
    format: "utf-8",
    parser() {
      typeof t2 == "function" && t2();
    }
  };
  return this._runTask(e);
};
f2.prototype.checkIgnore = function(t2, e) {
  return this._runTask(
    fs(v(d(t2, G2, []))),
    u(arguments)
  );
};
f2.prototype.checkIsRepo = function(t2, e) {
  return this._runTask(
    We(d(t2, m)),
    u(arguments)
  );
};
function Is(t2) {
  return t2 ? [{
    type: "spawn.before",
    action(r2, s) {
      t2.aborted && s.kill(new A2(void 0, "abort", "Abort already signaled"));
    }
  }, {
    type: "spawn.after",
    action(r2, s) {
      function o2() {
        s.kill(new A2(void 0, "abort", "Abort signal received"));
      }
      t2.addEventListener("abort", o2), s.spawned.on("close", () => t2.removeEventListener("abort", o2));
    }
  }] : void 0;
}
var Us = $2("", "plugin:allowEnvironment");
function Fs(t2, e = false) {
  const n = new Set(t2.map((r2) => r2.toLowerCase().trim()));
  return {
    type: "spawn.options",
    action(r2, s) {
      const o2 = { ...r2.env ?? process.env }, i = new Set(
        Object.keys(s.env).map((a) => a.toLowerCase().trim())
      );
      for (const a of Object.keys(o2)) {
        const c3 = a.toLowerCase().trim();
        if (!(!Gs(c3) || n.has(c3))) {
          if (i.has(c3))
            throw new A2(
              void 0,
              "allowEnvironment",
              `Use of "${a}" is blocked by the environment guard - add it to the allowEnvironment option to permit it`
            );
          Us("removing ambient guarded environment variable %s", a), delete o2[a];
        }
      }
      return {
        ...r2,
        env: {
          ...o2,
          GIT_TEST_DISALLOW_ABBREVIATED_OPTIONS: String(!e)
        }
      };
    }
  };
}
function Gs(t2) {
  const e = t2.toLowerCase().trim();
  return e.startsWith("git_") || _(e);
}
function zs(t2 = {}) {
  return {
    type: "spawn.args",
    action(e, { env: n }) {
      for (const r2 of oe(e, n))
        if (t2[r2.category] !== true)
          throw new A2(void 0, "unsafe", r2.message);
      return e;
    }
  };
}
function qs(t2) {
  const e = U(t2, "-c");
  return {
    type: "spawn.args",
    action(n) {
      return [...e, ...n];
    }
  };
}
var $t = (0, import_promise_deferred.deferred)().promise;
function Ws({
  onClose: t2 = true,
  onExit: e = 50
} = {}) {
  function n() {
    let s = -1;
    const o2 = {
      close: (0, import_promise_deferred.deferred)(),
      closeTimeout: (0, import_promise_deferred.deferred)(),
      exit: (0, import_promise_deferred.deferred)(),
      exitTimeout: (0, import_promise_deferred.deferred)()
    }, i = Promise.race([
      t2 === false ? $t : o2.closeTimeout.promise,
      e === false ? $t : o2.exitTimeout.promise
    ]);
    return r2(t2, o2.close, o2.closeTimeout), r2(e, o2.exit, o2.exitTimeout), {
      close(a) {
        s = a, o2.close.done();
      },
      exit(a) {
        s = a, o2.exit.done();
      },
      get exitCode() {
        return s;
      },
      result: i
    };
  }
  function r2(s, o2, i) {
    s !== false && (s === true ? o2.promise : o2.promise.then(() => wt(s))).then(i.done);
  }
  return {
    type: "spawn.after",
    async action(s, { spawned: o2, close: i }) {
      const a = n();
      let c3 = true, y2 = () => {
        c3 = false;
      };
      o2.stdout?.on("data", y2), o2.stderr?.on("data", y2), o2.on("error", y2), o2.on("close", (w2) => a.close(w2)), o2.on("exit", (w2) => a.exit(w2));
      try {
        await a.result, c3 && await wt(50), i(a.exitCode);
      } catch (w2) {
        i(a.exitCode, w2);
      }
    }
  };
}
var we = $2("", "plugin:binary");
var Hs = "Invalid value supplied for custom binary, requires a single string or an array containing either one or two strings";
var Ks = "Invalid value supplied for custom binary, restricted characters must be removed or supply the unsafe.allowUnsafeCustomBinary option";
function Vs(t2) {
  return !t2 || !/^([a-z]:)?([a-z0-9/.\\_~-]+)$/i.test(t2);
}
function Pt(t2, e) {
  if (t2.length < 1 || t2.length > 2)
    throw new A2(void 0, "binary", Hs);
  if (t2.some(Vs))
    if (e)
      we("permitted unsafe binary %o", t2);
    else
      throw new A2(void 0, "binary", Ks);
  const [r2, s] = t2;
  return {
    binary: r2,
    prefix: s
  };
}
function Xs(t2, e = ["git"], n = false) {
  let r2 = Pt(v(e), n);
  t2.on("binary", (s) => {
    r2 = Pt(v(s), n), we.info("reconfiguring %o", r2);
  }), t2.append("spawn.binary", () => r2.binary), t2.append("spawn.args", (s) => r2.prefix ? [r2.prefix, ...s] : s);
}
var be = {
  DISALLOWED_ABBREVIATED: {
    text: "disallowed abbreviated or ambiguous option",
    solution: "Unambiguous abbreviated options blocked with unsafe.allowAbbreviatedOptions setting: {message}"
  },
  UNKNOWN: {
    text: "~ unknown ~",
    solution: void 0
  }
};
function Ys(t2) {
  if (!t2)
    return "UNKNOWN";
  for (const [e, { text: n }] of Object.entries(be))
    if (t2.startsWith(`fatal: ${n}`))
      return e;
  return "UNKNOWN";
}
var Qs = class extends O2 {
  constructor(e = "") {
    const n = Ys(e);
    super(void 0, be[n].solution?.replace("{message}", e) ?? e), this.reason = n;
  }
};
function Js(t2) {
  return !!(t2.exitCode && t2.stdErr.length);
}
function Zs(t2) {
  return Buffer.concat([...t2.stdOut, ...t2.stdErr]);
}
function to(t2 = false, e = Js, n = Zs) {
  return (r2, s) => !t2 && r2 || !e(s) ? r2 : n(s);
}
function eo(t2, e) {
  return t2 === 128 && e.startsWith("fatal:") ? new Qs(e) : new O2(void 0, e);
}
function Mt(t2) {
  return {
    type: "task.error",
    action(e, n) {
      const r2 = t2(e.error, {
        stdErr: n.stdErr,
        stdOut: n.stdOut,
        exitCode: n.exitCode
      });
      return Buffer.isBuffer(r2) ? {
        error: eo(n.exitCode, r2.toString("utf-8"))
      } : {
        error: r2
      };
    }
  };
}
var nt = $2("", "plugin:input");
function no(t2) {
  return {
    type: "spawn.after",
    action(e, { commands: n, input: r2, spawned: { stdin: s } }) {
      if (!s)
        return;
      const o2 = t2?.([...n]) ?? r2;
      if (!o2)
        return nt("generated zero length content, not writing to stdin");
      nt("writing %s bytes to stdin", Le(o2)), s.on("error", (i) => {
        i.code !== "EPIPE" && nt("[ERROR] stdin error %o", i);
      }), s.end(o2);
    }
  };
}
var ro = class {
  constructor() {
    this.plugins = /* @__PURE__ */ new Set(), this.events = new Ce();
  }
  on(e, n) {
    this.events.on(e, n);
  }
  reconfigure(e, n) {
    this.events.emit(e, n);
  }
  append(e, n) {
    const r2 = S2(this.plugins, { type: e, action: n });
    return () => this.plugins.delete(r2);
  }
  add(e) {
    const n = [];
    return v(e).forEach(
      (r2) => {
        r2 && this.plugins.add(S2(n, r2));
      }
    ), () => {
      n.forEach((r2) => {
        this.plugins.delete(r2);
      });
    };
  }
  exec(e, n, r2) {
    let s = n;
    const o2 = Object.freeze(Object.create(r2));
    for (const i of this.plugins)
      i.type === e && (s = i.action(s, o2));
    return s;
  }
};
function so(t2) {
  const e = "--progress", n = ["checkout", "clone", "fetch", "pull", "push"];
  return [{
    type: "spawn.args",
    action(o2, i) {
      return n.includes(i.method) ? De(o2, e) : o2;
    }
  }, {
    type: "spawn.after",
    action(o2, i) {
      i.commands.includes(e) && i.spawned.stderr?.on("data", (a) => {
        const c3 = /^([\s\S]+?):\s*(\d+)% \((\d+)\/(\d+)\)/.exec(a.toString("utf8"));
        c3 && t2({
          method: i.method,
          stage: oo(c3[1]),
          progress: p(c3[2]),
          processed: p(c3[3]),
          total: p(c3[4])
        });
      });
    }
  }];
}
function oo(t2) {
  return String(t2.toLowerCase().split(" ", 1)) || "unknown";
}
function io(t2) {
  const e = je(t2, ["uid", "gid"]);
  return {
    type: "spawn.options",
    action(n) {
      return { ...e, ...n };
    }
  };
}
function ao() {
  return {
    type: "spawn.args",
    action(t2) {
      const e = [];
      let n;
      function r2(s) {
        (n = n || []).push(...s);
      }
      for (let s = 0; s < t2.length; s++) {
        const o2 = t2[s];
        if (r(o2)) {
          r2(o(o2));
          continue;
        }
        if (o2 === "--") {
          r2(
            t2.slice(s + 1).flatMap((i) => r(i) && o(i) || i)
          );
          break;
        }
        e.push(o2);
      }
      return n ? [...e, "--", ...n.map(String)] : e;
    }
  };
}
function uo({
  block: t2,
  stdErr: e = true,
  stdOut: n = true
}) {
  if (t2 > 0)
    return {
      type: "spawn.after",
      action(r2, s) {
        let o2;
        function i() {
          o2 && clearTimeout(o2), o2 = setTimeout(c3, t2);
        }
        function a() {
          s.spawned.stdout?.off("data", i), s.spawned.stderr?.off("data", i), s.spawned.off("exit", a), s.spawned.off("close", a), o2 && clearTimeout(o2);
        }
        function c3() {
          a(), s.kill(new A2(void 0, "timeout", "block timeout reached"));
        }
        n && s.spawned.stdout?.on("data", i), e && s.spawned.stderr?.on("data", i), s.spawned.on("exit", a), s.spawned.on("close", a), i();
      }
    };
}
var wo = (t2, e) => {
  const n = new ro(), r2 = Ge(
    t2 && (typeof t2 == "string" ? { baseDir: t2 } : t2) || {},
    e
  );
  if (!Lt(r2.baseDir))
    throw new Ae(
      r2,
      "Cannot use simple-git on a directory that does not exist"
    );
  return Array.isArray(r2.config) && n.add(qs(r2.config)), n.add(zs(r2.unsafe)), n.add(Ws(r2.completion)), r2.abort && n.add(Is(r2.abort)), r2.progress && n.add(so(r2.progress)), r2.timeout && n.add(uo(r2.timeout)), r2.spawnOptions && n.add(io(r2.spawnOptions)), n.add(ao()), n.add(no(r2.input)), n.add(Mt(to(true))), r2.errors && n.add(Mt(r2.errors)), Xs(n, r2.binary, r2.unsafe?.allowUnsafeCustomBinary), n.add(
    Fs(r2.allowEnvironment ?? [], r2.unsafe?.allowAbbreviatedOptions)
  ), new f2(r2, n);
};

// src/store/git.ts
import { spawn } from "node:child_process";
var REDIRECTING = ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR", "GIT_NAMESPACE"];
function storeEnv(extra) {
  const env = { ...process.env, ...extra };
  for (const name of REDIRECTING) delete env[name];
  return env;
}
function spawnGit(gitDir, args, env = {}) {
  const child = spawn("git", args, { cwd: gitDir, env: storeEnv(env), stdio: ["pipe", "pipe", "pipe"] });
  const stderr = [];
  child.stderr.on("data", (chunk) => stderr.push(chunk));
  child.stdin.on("error", () => void 0);
  const exit = new Promise((resolve5, reject) => {
    child.once("error", (error) => reject(new OperationError(`Could not run git: ${error.message}. Install git (2.39 or newer) and make sure it is on PATH.`)));
    child.once("close", (code, signal) => {
      if (code === 0) return resolve5();
      const text = Buffer.concat(stderr).toString("utf8").trim();
      reject(new OperationError(`git ${args[0]} failed in '${gitDir}': ${text || (signal ? `killed by ${signal}` : `exit status ${code}`)}`));
    });
  });
  return { child, exit };
}
async function runGit(gitDir, args, input) {
  const git = spawnGit(gitDir, args);
  const stdout = [];
  git.child.stdout.on("data", (chunk) => stdout.push(chunk));
  git.child.stdin.end(input);
  await git.exit;
  return Buffer.concat(stdout);
}

// src/store/cat-file.ts
var OID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
function checkOids(oids) {
  const bad = oids.find((oid) => !OID.test(oid));
  if (bad !== void 0) throw new OperationError(`'${bad}' is not a git object id (expected 40 lowercase hex digits).`);
}
async function readBlobs(gitDir, oids) {
  const wanted = [...new Set(oids)];
  const blobs = /* @__PURE__ */ new Map();
  if (wanted.length === 0) return blobs;
  checkOids(wanted);
  const output = await runGit(gitDir, ["cat-file", "--batch"], `${wanted.join("\n")}
`);
  let offset = 0;
  for (const oid of wanted) {
    const newline = output.indexOf(10, offset);
    const header = output.toString("utf8", offset, newline).split(" ");
    if (header[1] !== "blob") {
      const what = header[1] === "missing" ? "is missing" : `is a ${header[1]}, not a file`;
      throw new OperationError(`Object ${oid} ${what} in the store '${gitDir}'. The store may be damaged; check it with 'git fsck'.`);
    }
    const size = Number(header[2]);
    blobs.set(oid, output.subarray(newline + 1, newline + 1 + size));
    offset = newline + 1 + size + 1;
  }
  return blobs;
}
async function existingBlobs(gitDir, oids) {
  const found = /* @__PURE__ */ new Set();
  if (oids.length === 0) return found;
  checkOids(oids);
  const output = await runGit(gitDir, ["cat-file", "--batch-check=%(objectname) %(objecttype)"], `${oids.join("\n")}
`);
  for (const line of output.toString("utf8").split("\n")) {
    const [oid, type] = line.split(" ");
    if (type === "blob") found.add(oid);
  }
  return found;
}

// src/store/fast-import.ts
import { createHash } from "node:crypto";
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
var FAST_IMPORT_ENV = { MALLOC_TRIM_THRESHOLD_: String(64 << 20) };
var FLUSH_BYTES = 1 << 20;
var Batcher = class {
  constructor(stream) {
    this.stream = stream;
  }
  stream;
  chunks = [];
  size = 0;
  async push(data) {
    const chunk = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    this.chunks.push(chunk);
    this.size += chunk.length;
    if (this.size >= FLUSH_BYTES) await this.flush();
  }
  /** Resolves once the data is in the pipe, which bounds memory to about one batch. */
  async flush() {
    if (this.size === 0) return;
    const data = Buffer.concat(this.chunks, this.size);
    this.chunks = [];
    this.size = 0;
    await new Promise((resolve5, reject) => this.stream.write(data, (error) => error ? reject(error) : resolve5()));
  }
  async end() {
    await this.flush();
    await new Promise((resolve5) => this.stream.end(resolve5));
  }
};
function quotePath2(path) {
  const escaped = path.replace(/[\\"\p{Cc}]/gu, (c3) => {
    const code = c3.charCodeAt(0);
    if (c3 === "\\" || c3 === '"') return `\\${c3}`;
    return code > 127 ? c3 : `\\${code.toString(8).padStart(3, "0")}`;
  });
  return `"${escaped}"`;
}
function errorText(error) {
  return error instanceof Error ? error.message : String(error);
}
async function pushBlob(out, blob) {
  let fd;
  try {
    fd = openSync(blob.source, "r");
  } catch (error) {
    return `Cannot read '${blob.source}': ${errorText(error)}.`;
  }
  try {
    const size = fstatSync(fd).size;
    const hash = createHash("sha1").update(`blob ${size}\0`);
    await out.push(`blob
data ${size}
`);
    let offset = 0;
    let readError = null;
    while (offset < size) {
      const chunk = Buffer.allocUnsafe(Math.min(size - offset, FLUSH_BYTES));
      let count2 = 0;
      if (readError === null) {
        try {
          count2 = readSync(fd, chunk, 0, chunk.length, offset);
        } catch (error) {
          readError = `Cannot read '${blob.source}': ${errorText(error)}.`;
        }
      }
      if (count2 === 0) {
        readError ??= `'${blob.source}' changed while it was being recorded.`;
        chunk.fill(0);
        count2 = chunk.length;
      }
      const piece = chunk.subarray(0, count2);
      hash.update(piece);
      await out.push(piece);
      offset += count2;
    }
    await out.push("\n");
    if (readError) return readError;
    const actual = hash.digest("hex");
    if (actual === blob.oid) return null;
    return `'${blob.source}' changed after the plan was made (it is now blob ${actual}, the plan has ${blob.oid}). Make a new plan and deploy it.`;
  } finally {
    closeSync(fd);
  }
}
function formatCommit(commit) {
  const { name, email } = commit.identity;
  const when = `${Math.floor(commit.date.getTime() / 1e3)} +0000`;
  const lines = [
    // `reset` makes the commit a root commit when there is no `from`, even if the ref exists.
    `reset ${commit.ref}`,
    `commit ${commit.ref}`,
    "mark :1",
    `author ${name} <${email}> ${when}`,
    `committer ${name} <${email}> ${when}`,
    `data ${Buffer.byteLength(commit.message, "utf8")}`,
    commit.message
  ];
  if (commit.from) lines.push(`from ${commit.from}`);
  for (const path of commit.deletes) lines.push(`D ${quotePath2(path)}`);
  for (const file of commit.files) lines.push(`M ${file.executable ? "100755" : "100644"} ${file.oid} ${quotePath2(file.path)}`);
  return `${lines.join("\n")}

get-mark :1
`;
}
async function fastImport(gitDir, blobs, commit) {
  const git = spawnGit(gitDir, ["fast-import", "--quiet", "--done", "--force"], FAST_IMPORT_ENV);
  const stdout = [];
  git.child.stdout.on("data", (chunk) => stdout.push(chunk));
  const out = new Batcher(git.child.stdin);
  let problem = null;
  try {
    for (const blob of blobs) {
      problem = await pushBlob(out, blob);
      if (problem) break;
    }
    if (!problem) await out.push(formatCommit(commit));
    await out.push("done\n");
    await out.end();
  } catch (error) {
    if (error.code === "EPIPE") await git.exit;
    git.child.kill();
    await git.exit.catch(() => void 0);
    throw error;
  }
  await git.exit;
  if (problem) throw new OperationError(`${problem}
Nothing was recorded.`);
  return Buffer.concat(stdout).toString("utf8").trim();
}

// src/store/types.ts
var HOST_STATUSES = ["deployed", "rolled-back", "failed", "skipped"];

// src/store/message.ts
var RESULT = "Deptool-Result";
var TRAILER_KEYS = [
  ["planDigest", "Deptool-Plan-Digest"],
  ["runUrl", "Deptool-Run-URL"],
  ["pullRequest", "Deptool-Pull-Request"],
  ["actor", "Deptool-Actor"]
];
function oneLine(text) {
  return text.replace(/\s+/g, " ").trim();
}
function formatMessage(title, body, results, trailers) {
  const lines = [];
  for (const result of results) {
    const detail = result.detail === void 0 ? "" : oneLine(result.detail);
    lines.push(`${RESULT}: ${result.host} ${result.status}${detail ? `: ${detail}` : ""}`);
  }
  for (const [field, key] of TRAILER_KEYS) {
    const value = trailers?.[field] === void 0 ? "" : oneLine(trailers[field]);
    if (value) lines.push(`${key}: ${value}`);
  }
  const paragraphs = [oneLine(title)];
  const text = stripBlankEnds((body ?? "").split("\n").map((line) => line.trimEnd())).join("\n");
  if (text) paragraphs.push(text);
  paragraphs.push(lines.join("\n"));
  return `${paragraphs.join("\n\n")}
`;
}
var isBlank = (line) => line.trim() === "";
function stripBlankEnds(lines) {
  let start = 0;
  let end = lines.length;
  while (start < end && isBlank(lines[start])) start++;
  while (end > start && isBlank(lines[end - 1])) end--;
  return lines.slice(start, end);
}
function parseTrailerBlock(lines) {
  const entries = [];
  for (const line of lines) {
    const last = entries[entries.length - 1];
    if (/^\s/.test(line) && last) {
      last[1] = `${last[1]} ${line.trim()}`;
      continue;
    }
    const match = /^([A-Za-z0-9][A-Za-z0-9-]*):\s*(.*)$/.exec(line);
    if (!match) return null;
    entries.push([match[1].toLowerCase(), match[2].trim()]);
  }
  return entries.some(([key]) => key.startsWith("deptool-")) ? entries : null;
}
var RESULT_VALUE = new RegExp(`^(\\S+) (${HOST_STATUSES.join("|")})(?:: (.*))?$`);
function parseMessage(message) {
  const lines = stripBlankEnds(message.split("\n"));
  let titleEnd = 0;
  while (titleEnd < lines.length && !isBlank(lines[titleEnd])) titleEnd++;
  const title = lines.slice(0, titleEnd).map((line) => line.trim()).join(" ");
  let lastStart = lines.length;
  while (lastStart > titleEnd && !isBlank(lines[lastStart - 1])) lastStart--;
  const entries = lastStart > titleEnd ? parseTrailerBlock(lines.slice(lastStart)) : null;
  const body = stripBlankEnds(lines.slice(titleEnd, entries ? lastStart : lines.length)).join("\n");
  const results = [];
  const trailers = {};
  for (const [key, value] of entries ?? []) {
    if (key === RESULT.toLowerCase()) {
      const match = RESULT_VALUE.exec(value);
      if (!match) continue;
      const status = match[2];
      results.push(match[3] ? { host: match[1], status, detail: match[3] } : { host: match[1], status });
      continue;
    }
    const field = TRAILER_KEYS.find(([, name]) => name.toLowerCase() === key)?.[0];
    if (field && value) trailers[field] ??= value;
  }
  return { title, body, results, trailers };
}

// src/store/log.ts
var FIELDS = 5;
var FORMAT = "--format=%H%x00%an%x00%ae%x00%aI%x00%B";
function toRecord(fields) {
  const [commit, name, email, date, message] = fields;
  return { commit, date: new Date(date), author: { name, email }, ...parseMessage(message) };
}
async function* readLog(gitDir, commit) {
  const git = spawnGit(gitDir, ["log", "-z", "--first-parent", "--no-show-signature", FORMAT, commit]);
  git.child.stdin.end();
  let complete = false;
  try {
    let pending = Buffer.alloc(0);
    const fields = [];
    for await (const chunk of git.child.stdout) {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let start = 0;
      for (let nul = pending.indexOf(0); nul !== -1; nul = pending.indexOf(0, start)) {
        fields.push(pending.toString("utf8", start, nul));
        start = nul + 1;
        if (fields.length === FIELDS) yield toRecord(fields.splice(0));
      }
      pending = pending.subarray(start);
    }
    complete = true;
    await git.exit;
  } finally {
    if (!complete) {
      git.child.kill();
      await git.exit.catch(() => void 0);
    }
  }
}

// src/store/ls-tree.ts
function parseLsTree(output, commit) {
  const cluster = /* @__PURE__ */ new Map();
  const apps = /* @__PURE__ */ new Map();
  let start = 0;
  while (start < output.length) {
    let end = output.indexOf("\0", start);
    if (end === -1) end = output.length;
    const entry = output.slice(start, end);
    start = end + 1;
    const tab = entry.indexOf("	");
    const [mode, type, oid, size] = entry.slice(0, tab).split(/ +/);
    const path = entry.slice(tab + 1);
    const parts = path.split("/");
    if (parts.length < 2) continue;
    const appPath = `${parts[0]}/${parts[1]}`;
    if (parts.length === 2) {
      if (type !== "tree") continue;
      const app = { files: /* @__PURE__ */ new Map(), treeOid: oid };
      apps.set(appPath, app);
      let host = cluster.get(parts[0]);
      if (!host) cluster.set(parts[0], host = /* @__PURE__ */ new Map());
      host.set(parts[1], app);
      continue;
    }
    if (type === "tree") continue;
    if (mode !== "100644" && mode !== "100755") {
      throw new OperationError(
        `The store commit ${commit} has '${path}' with mode ${mode}; only regular files can be deployed. Was the store edited by hand?`
      );
    }
    apps.get(appPath).files.set(parts.slice(2).join("/"), { oid, executable: mode === "100755", size: Number(size) });
  }
  return cluster;
}

// src/store/store.ts
var MARKER_KEY = "deptool.storeVersion";
var MARKER_VALUE = "1";
var TEMP_REF_PREFIX = "refs/deptool-tmp/";
var CAS_TRIES = 8;
var OID2 = /^[0-9a-f]{40}$/;
var ZERO_OID = "0".repeat(40);
function errorText2(error) {
  return error instanceof Error ? error.message.trim() : String(error);
}
function fail(message) {
  throw new OperationError(message);
}
function checkName(name, what) {
  if (!/^[^\s/\0]+$/.test(name) || name === "." || name === ".." || name.toLowerCase() === ".git") {
    fail(`Invalid ${what} name '${name}': it must be one path component without whitespace.`);
  }
}
function checkFilePath(path, where) {
  const bad = path.split("/").some((part) => part === "" || part === "." || part === ".." || part.toLowerCase() === ".git" || part.includes("\0"));
  if (bad) fail(`Invalid file path '${path}' in ${where}: it must be relative, without empty, '.', '..' or '.git' components.`);
}
function checkNoNul(text, what) {
  if (text?.includes("\0")) fail(`The ${what} of the attempt contains a NUL character.`);
}
function checkAttempt(attempt) {
  if (attempt.parent !== null && !OID2.test(attempt.parent)) fail(`The attempt's parent '${attempt.parent}' is not a commit id.`);
  if (!oneLine(attempt.title)) fail("The attempt has an empty title.");
  checkNoNul(attempt.title, "title");
  checkNoNul(attempt.body, "body");
  const trailers = attempt.trailers;
  for (const value of [trailers?.planDigest, trailers?.runUrl, trailers?.pullRequest, trailers?.actor]) checkNoNul(value, "trailers");
  const { name, email } = attempt.author;
  if (!oneLine(name) || /[<>\n\0]/.test(name) || /[<>\n\0]/.test(email)) {
    fail(`Invalid author '${name} <${email}>': the name must not be empty and neither may contain '<', '>' or a newline.`);
  }
  if (attempt.date !== void 0 && !(attempt.date.getTime() >= 0)) fail("The attempt has an invalid date.");
  if (attempt.results.length === 0) fail("The attempt has no host results; record an attempt only when some host was deployed to.");
  const statuses = /* @__PURE__ */ new Map();
  for (const result of attempt.results) {
    checkName(result.host, "host");
    checkNoNul(result.detail, "result detail");
    if (!HOST_STATUSES.includes(result.status)) fail(`Invalid status '${String(result.status)}' for host '${result.host}'.`);
    if (statuses.has(result.host)) fail(`The attempt has two results for host '${result.host}'.`);
    statuses.set(result.host, result.status);
  }
  for (const [host, apps] of attempt.writes) {
    if (statuses.get(host) !== "deployed") {
      fail(`The attempt writes apps of host '${host}', whose result is ${statuses.get(host) ?? "missing"}; only hosts whose changes landed may change in the store.`);
    }
    for (const [app, write] of apps) {
      checkName(app, "app");
      for (const [path, file] of write?.files ?? []) {
        checkFilePath(path, `${host}/${app}`);
        if (!OID2.test(file.oid)) fail(`'${host}/${app}/${path}' has an invalid blob id '${file.oid}'.`);
        if (file.source !== void 0 && !isAbsolute(file.source)) fail(`The source of '${host}/${app}/${path}' must be an absolute path, not '${file.source}'.`);
      }
    }
  }
}
function changesOf(attempt) {
  const changes = { deletes: [], files: [], sources: /* @__PURE__ */ new Map() };
  for (const [host, apps] of attempt.writes) {
    for (const [app, write] of apps) {
      changes.deletes.push(`${host}/${app}`);
      for (const [path, file] of write?.files ?? []) {
        changes.files.push({ path: `${host}/${app}/${path}`, executable: file.executable, oid: file.oid });
        if (file.source !== void 0) changes.sources.set(file.oid, file.source);
      }
    }
  }
  return changes;
}
var Store = class _Store {
  /** The directory the store was opened with (absolute). */
  dir;
  gitDir;
  git;
  checkedRefs = /* @__PURE__ */ new Set();
  constructor(dir, gitDir) {
    this.dir = dir;
    this.gitDir = gitDir;
    this.git = wo({ baseDir: gitDir });
  }
  /** Creates a bare repository at `dir`, or opens it when it already is a deptool store. */
  static async init(dir) {
    const path = resolve(dir);
    const info = await stat(path).catch(() => null);
    if (info && !info.isDirectory()) fail(`Cannot create a store at '${path}': it exists and is not a directory. Choose another path.`);
    if (info && (await readdir(path)).length > 0) {
      const gitDir = await gitDirOf(path);
      if (gitDir === null) fail(`Cannot create a store at '${path}': the directory is not empty and is not a git repository. Choose another path.`);
      const store2 = new _Store(path, gitDir);
      if (await store2.getConfig(MARKER_KEY) === null) {
        fail(`Cannot create a store at '${path}': it is a git repository that deptool did not create. Choose another path.`);
      }
      return store2;
    }
    await mkdir(path, { recursive: true });
    try {
      await wo({ baseDir: path }).init(true, ["--quiet"]);
    } catch (error) {
      fail(`Could not create the store at '${path}': ${errorText2(error)}`);
    }
    const store = new _Store(path, await realpath(path));
    await store.setConfig(MARKER_KEY, MARKER_VALUE);
    return store;
  }
  /** Opens an existing store: a bare repository, or the root of a work tree (the Action's checkout). */
  static async open(dir) {
    const path = resolve(dir);
    const info = await stat(path).catch(() => null);
    if (!info) fail(`No store at '${path}'. Run 'deptool init' first.`);
    const gitDir = info.isDirectory() ? await gitDirOf(path) : null;
    if (gitDir === null) fail(`'${path}' is not a deptool store (not a git repository). Point deptool at the store, or move this path away and run 'deptool init'.`);
    return new _Store(path, gitDir);
  }
  async getConfig(key) {
    try {
      return (await this.git.getConfig(key, "local")).value;
    } catch (error) {
      fail(`Could not read '${key}' from the store's configuration: ${errorText2(error)}`);
    }
  }
  async setConfig(key, value) {
    try {
      await this.git.addConfig(key, value, false, "local");
    } catch (error) {
      fail(`Could not set '${key}' in the store's configuration: ${errorText2(error)}`);
    }
  }
  async tip(ref) {
    await this.checkRef(ref);
    const out = await this.raw(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
    return out.trim() || null;
  }
  async readTree(commit) {
    if (commit === null) return /* @__PURE__ */ new Map();
    if (!OID2.test(commit)) fail(`'${commit}' is not a commit id.`);
    const output = await runGit(this.gitDir, ["ls-tree", "-r", "-t", "-l", "-z", commit]);
    return parseLsTree(output.toString("utf8"), commit);
  }
  readBlobs(oids) {
    return readBlobs(this.gitDir, oids);
  }
  /**
   * Records one attempt as a commit on `attempt.ref` and returns its id. The writes are
   * built on the ref's current tip, which may have moved past `attempt.parent` when another
   * run recorded meanwhile: hosts are disjoint (host locks), so replacing this attempt's app
   * subtrees keeps both runs' changes. The ref only ever moves forward, by compare-and-swap.
   */
  async recordAttempt(attempt) {
    checkAttempt(attempt);
    await this.checkRef(attempt.ref);
    const message = formatMessage(attempt.title, attempt.body, attempt.results, attempt.trailers);
    const changes = changesOf(attempt);
    const date = attempt.date ?? /* @__PURE__ */ new Date();
    let tip = await this.tip(attempt.ref);
    await this.checkTip(attempt, tip);
    const blobs = await this.blobsToStream(changes, tip, attempt.ref);
    const tempRef = `${TEMP_REF_PREFIX}${randomUUID()}`;
    let published = false;
    try {
      let commit = null;
      let base = null;
      for (let tries = 1; ; tries++) {
        if (commit === null || tip !== base) {
          commit = await fastImport(this.gitDir, commit === null ? blobs : [], {
            ref: tempRef,
            from: tip,
            identity: attempt.author,
            date,
            message,
            deletes: changes.deletes,
            files: changes.files
          });
          base = tip;
        }
        try {
          const transaction = `start
update ${attempt.ref} ${commit} ${tip ?? ZERO_OID}
delete ${tempRef}
commit
`;
          await runGit(this.gitDir, ["update-ref", "-m", `deptool: ${oneLine(attempt.title)}`, "--stdin"], transaction);
          published = true;
          return commit;
        } catch (error) {
          if (tries === CAS_TRIES) {
            fail(`Could not update '${attempt.ref}' in the store '${this.dir}' after ${CAS_TRIES} tries: ${errorText2(error)}
Nothing was recorded; check that no other process keeps the ref locked.`);
          }
        }
        await sleep(10 * tries + Math.random() * 20);
        tip = await this.tip(attempt.ref);
        await this.checkTip(attempt, tip);
      }
    } finally {
      if (!published) await this.raw(["update-ref", "-d", tempRef]).catch(() => void 0);
    }
  }
  async log(ref, options = {}) {
    const records = [];
    const tip = await this.tip(ref);
    if (tip === null || options.limit === 0) return records;
    for await (const record of readLog(this.gitDir, tip)) {
      if (options.host !== void 0 && !record.results.some((r2) => r2.host === options.host)) continue;
      records.push(record);
      if (records.length === options.limit) break;
    }
    return records;
  }
  async lastResults(ref, hosts) {
    const found = /* @__PURE__ */ new Map();
    const wanted = new Set(hosts);
    const tip = await this.tip(ref);
    if (tip === null || wanted.size === 0) return found;
    for await (const record of readLog(this.gitDir, tip)) {
      for (const result of record.results) {
        if (wanted.has(result.host) && !found.has(result.host)) found.set(result.host, { ...record, result });
      }
      if (found.size === wanted.size) break;
    }
    return found;
  }
  async raw(args) {
    try {
      return await this.git.raw(args);
    } catch (error) {
      fail(`git ${args[0]} failed in the store '${this.dir}': ${errorText2(error)}`);
    }
  }
  /** Refs are full names, so update-ref can never create a stray file in the git directory. */
  async checkRef(ref) {
    if (this.checkedRefs.has(ref)) return;
    const normalized = ref.startsWith("refs/") ? (await this.raw(["check-ref-format", "--normalize", ref])).trim() : "";
    if (normalized !== ref) fail(`Invalid store ref '${ref}': expected a full ref name such as 'refs/heads/prod'.`);
    this.checkedRefs.add(ref);
  }
  /** The current tip must be the attempt's parent or a descendant of it. */
  async checkTip(attempt, tip) {
    const { ref, parent } = attempt;
    if (tip === parent) return;
    if (parent === null) {
      fail(`Cannot record the attempt: it was planned against an empty store, but '${ref}' now exists (at ${tip.slice(0, 10)}). Another deploy recorded first; make a new plan and deploy it.`);
    }
    if (tip === null) {
      fail(`Cannot record the attempt: it was planned against commit ${parent.slice(0, 10)} of '${ref}', which no longer exists. Was the store replaced? Make a new plan against the current store.`);
    }
    const mergeBase = (await this.raw(["merge-base", parent, tip])).trim();
    if (mergeBase !== parent) {
      fail(`Cannot record the attempt: '${ref}' was rewritten and no longer contains commit ${parent.slice(0, 10)} the attempt was planned against. Make a new plan against the current store.`);
    }
  }
  /**
   * The blobs fast-import must be sent. Those in the apps' current subtrees are stored
   * already, so a redeploy does not read unchanged files again. Asking git about every
   * other oid would cost more than streaming it (a lookup of a missing object rescans
   * the packs), and fast-import skips writing a blob that is already packed.
   * A file without a source must be in the store.
   */
  async blobsToStream(changes, tip, ref) {
    const stored = /* @__PURE__ */ new Set();
    if (tip !== null && changes.deletes.length > 0) {
      const args = ["--literal-pathspecs", "ls-tree", "-r", "-z", "--format=%(objectname)", tip, "--", ...changes.deletes];
      const listing = await runGit(this.gitDir, args);
      for (const oid of listing.toString("utf8").split("\0")) stored.add(oid);
    }
    const unknown = [...new Set(changes.files.filter((file) => !stored.has(file.oid) && !changes.sources.has(file.oid)).map((file) => file.oid))];
    const present = await existingBlobs(this.gitDir, unknown);
    const missing = changes.files.find((file) => !stored.has(file.oid) && !changes.sources.has(file.oid) && !present.has(file.oid));
    if (missing) fail(`Cannot record '${missing.path}' on '${ref}': blob ${missing.oid} is not in the store and no source file was given.`);
    return [...changes.sources].filter(([oid]) => !stored.has(oid)).map(([oid, source]) => ({ oid, source }));
  }
};
async function gitDirOf(dir) {
  let gitDir;
  try {
    gitDir = (await wo({ baseDir: dir }).revparse(["--absolute-git-dir"])).trim();
  } catch (error) {
    if (/not a git repository/i.test(errorText2(error))) return null;
    fail(`Cannot use '${dir}' as a store: ${errorText2(error)}`);
  }
  const real = await realpath(dir);
  return gitDir === real || gitDir === join2(real, ".git") ? gitDir : null;
}

// src/tree/load.ts
import { createHash as createHash3 } from "node:crypto";
import { close, constants as constants2, fstat, open, read } from "node:fs";
import { readdir as readdir2, stat as stat2 } from "node:fs/promises";
import { basename, resolve as resolve2 } from "node:path";

// src/tree/fs-issues.ts
import { relative, sep } from "node:path";
function displayPath(cwd, path) {
  const shown = relative(cwd, path) || ".";
  return printable(sep === "/" ? shown : shown.split(sep).join("/"));
}
function printable(text) {
  if (!hasControlCharacter(text)) return text;
  let shown = "";
  for (const char of text) shown += hasControlCharacter(char) ? `\\x${char.charCodeAt(0).toString(16).padStart(2, "0")}` : char;
  return shown;
}
function specialFileIssue(path, entry) {
  const kind = entry.isSymbolicLink() ? "a symlink" : entry.isFIFO() ? "a named pipe (FIFO)" : entry.isSocket() ? "a socket" : entry.isBlockDevice() || entry.isCharacterDevice() ? "a device file" : "not a regular file";
  return {
    path,
    message: `is ${kind}; deptool deploys regular files only`,
    hint: entry.isSymbolicLink() ? "Copy the file, or use manifest.json `symlinks` to create links on the host." : "Remove it from the config tree."
  };
}
var IS_SYMLINK = { isSymbolicLink: () => true, isFIFO: () => false, isSocket: () => false, isBlockDevice: () => false, isCharacterDevice: () => false };
function fileSystemIssue(path, error) {
  const code = error.code;
  switch (code) {
    case "ELOOP":
      return specialFileIssue(path, IS_SYMLINK);
    case "EISDIR":
      return { path, message: "is a directory, not a file", hint: "Replace it with a file, or remove it." };
    case "EACCES":
    case "EPERM":
      return { path, message: "cannot be read: permission denied", hint: "Make it readable by the user running deptool." };
    case "ENOENT":
    case "ENOTDIR":
      return { path, message: "disappeared while deptool was reading the tree", hint: "Run again once nothing is changing the config tree." };
    default:
      return { path, message: `cannot be read: ${error.message}`, hint: "Check the file system, then run again." };
  }
}
var UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
function decodeUtf8(bytes) {
  try {
    return UTF8.decode(bytes);
  } catch {
    return void 0;
  }
}

// src/tree/hash.ts
import { createHash as createHash2 } from "node:crypto";
function blobHeader(size) {
  return Buffer.from(`blob ${size}\0`);
}
function gitTreeOid(entries) {
  const keyed = [...entries].map((entry) => ({
    entry,
    key: Buffer.from(entry.mode === "40000" ? `${entry.name}/` : entry.name)
  }));
  keyed.sort((a, b3) => Buffer.compare(a.key, b3.key));
  const parts = [];
  for (const { entry } of keyed) {
    parts.push(Buffer.from(`${entry.mode} ${entry.name}\0`), Buffer.from(entry.oid, "hex"));
  }
  const body = Buffer.concat(parts);
  return createHash2("sha1").update(`tree ${body.length}\0`).update(body).digest("hex");
}
function appTreeOid(files) {
  const root = { files: [], dirs: /* @__PURE__ */ new Map() };
  for (const [path, file] of files) {
    const parts = path.split("/");
    const name = parts.pop();
    let dir = root;
    for (const part of parts) {
      let child = dir.dirs.get(part);
      if (child === void 0) {
        child = { files: [], dirs: /* @__PURE__ */ new Map() };
        dir.dirs.set(part, child);
      }
      dir = child;
    }
    dir.files.push({ name, mode: file.executable ? "100755" : "100644", oid: file.oid });
  }
  return dirOid(root);
}
function dirOid(dir) {
  const subtrees = [...dir.dirs].map(([name, child]) => ({ name, mode: "40000", oid: dirOid(child) }));
  return gitTreeOid([...dir.files, ...subtrees]);
}

// src/tree/settings.ts
import { constants } from "node:fs";
import { readFile as readFile2 } from "node:fs/promises";
import { join as join3 } from "node:path";
var SETTINGS_FILE = "deptool.json";
var EMPTY_SETTINGS = { defaults: {}, hosts: /* @__PURE__ */ new Map() };
function word(what, more) {
  return {
    type: "string",
    check: (value) => {
      if (value === "" || /\s/.test(value) || hasControlCharacter(value)) {
        return { message: `${what} must be a single non-empty word`, hint: "Remove spaces and control characters." };
      }
      if (value.startsWith("-")) return { message: `${what} may not start with "-"`, hint: `Use the real ${what}.` };
      return more?.(value);
    }
  };
}
function addressWithoutUser(value) {
  if (!value.includes("@")) return void 0;
  return { message: 'address may not contain "@"', hint: "Put the login name in `user` and only the host name or IP address in `address`." };
}
var HOST_FIELDS = {
  address: { property: "address", schema: word("address", addressWithoutUser) },
  port: { property: "port", schema: { type: "integer", min: 1, max: 65535 } },
  user: { property: "user", schema: word("user") },
  hostname: { property: "hostname", schema: word("hostname") },
  transport: { property: "transport", schema: { type: "enum", values: ["ssh", "local"] } },
  proxy_jump: { property: "proxyJump", schema: word("proxy_jump") }
};
var PER_HOST_ONLY = ["address", "hostname"];
function settingsSchema(hostNames, clusterDisplay) {
  const hostFields = Object.fromEntries(Object.entries(HOST_FIELDS).map(([key, field]) => [key, field.schema]));
  const defaults = {
    type: "object",
    fields: Object.fromEntries(Object.entries(hostFields).filter(([key]) => !PER_HOST_ONLY.includes(key))),
    misplaced: Object.fromEntries(PER_HOST_ONLY.map((key) => [key, `\`${key}\` differs per host; set it under \`hosts.<host>.${key}\`.`]))
  };
  return {
    type: "object",
    fields: {
      defaults,
      hosts: {
        type: "map",
        keys: (host) => hostNames.has(host) ? void 0 : unknownHost(host, hostNames, clusterDisplay),
        values: { type: "object", fields: hostFields }
      }
    }
  };
}
function unknownHost(host, hostNames, clusterDisplay) {
  const guess = didYouMean(host, hostNames);
  return {
    message: `host ${JSON.stringify(host)} has no directory with files in ${clusterDisplay}`,
    hint: guess === void 0 ? `Create ${clusterDisplay}/${host}/ with its apps, or remove the entry.` : `Did you mean ${JSON.stringify(guess)}? Otherwise create ${clusterDisplay}/${host}/ or remove the entry.`
  };
}
function hostSettings(node) {
  const settings = {};
  for (const [key, value] of node?.type === "object" ? properties(node) : []) {
    const field = HOST_FIELDS[key.value];
    if (field !== void 0) settings[field.property] = getNodeValue2(value);
  }
  return settings;
}
function parseSettings(text, displayPath3, hostNames, clusterDisplay) {
  const { source, root, issues } = parseJsonSource(text, displayPath3);
  if (root === void 0) return { settings: EMPTY_SETTINGS, issues };
  issues.push(...validateJson(root, settingsSchema(hostNames, clusterDisplay), source));
  const hosts = /* @__PURE__ */ new Map();
  const hostsNode = member(root, "hosts");
  for (const [key, value] of hostsNode?.type === "object" ? properties(hostsNode) : []) {
    hosts.set(key.value, hostSettings(value));
  }
  return { settings: { defaults: hostSettings(member(root, "defaults")), hosts }, issues };
}
async function loadSettings(clusterDir2, hostNames, cwd) {
  const path = join3(clusterDir2, SETTINGS_FILE);
  const display = displayPath(cwd, path);
  let bytes;
  try {
    bytes = await readFile2(path, { flag: constants.O_RDONLY | constants.O_NOFOLLOW });
  } catch (error) {
    if (error.code === "ENOENT") return { settings: EMPTY_SETTINGS, issues: [] };
    return { settings: EMPTY_SETTINGS, issues: [fileSystemIssue(display, error)] };
  }
  const text = decodeUtf8(bytes);
  if (text === void 0) {
    return { settings: EMPTY_SETTINGS, issues: [{ path: display, message: "is not valid UTF-8", hint: "Save it as UTF-8." }] };
  }
  return parseSettings(text, display, hostNames, displayPath(cwd, clusterDir2));
}

// src/tree/load.ts
var CHUNK = 256 * 1024;
var MANIFEST_MAX = 1024 * 1024;
var FileProblem = class extends Error {
  constructor(issue) {
    super(issue.message);
    this.issue = issue;
  }
  issue;
};
async function loadCluster(dir, options = {}) {
  const cwd = options.cwd ?? process.cwd();
  const root = resolve2(cwd, dir);
  const display = (path) => displayPath(cwd, path);
  await checkClusterDir(root, display(root));
  const issues = [];
  const clusterIssue = validateName(basename(root), "cluster", display(root));
  if (clusterIssue !== void 0) issues.push(clusterIssue);
  const hostAccs = [];
  const buffers = [];
  const jobs = [{ kind: "cluster", abs: root }];
  const handle = async (job) => {
    if (job.kind === "file") {
      const buffer = buffers.pop() ?? Buffer.allocUnsafe(CHUNK);
      try {
        const { entry, content } = await hashFile(job.abs, buffer, job.path === "manifest.json");
        job.app.files.set(job.path, entry);
        if (content !== void 0) job.app.manifest = content;
        else if (job.path === "manifest.json") {
          issues.push({ path: display(job.abs), message: `is larger than ${MANIFEST_MAX / 1024 / 1024} MiB`, hint: "A manifest only lists units and links; keep it small." });
        }
      } catch (error) {
        issues.push(error instanceof FileProblem ? { ...error.issue, path: display(job.abs) } : fileSystemIssue(display(job.abs), error));
      } finally {
        buffers.push(buffer);
      }
      return;
    }
    let entries;
    try {
      entries = await readdir2(job.abs, { withFileTypes: true });
    } catch (error) {
      issues.push(fileSystemIssue(display(job.abs), error));
      return;
    }
    for (const entry of entries) {
      const abs = `${job.abs}/${entry.name}`;
      if (job.kind === "dir") {
        const problem = entryNameProblem(entry.name, job.prefix === "systemd/");
        if (problem !== void 0) {
          issues.push({ path: display(abs), ...problem });
          continue;
        }
      }
      if (entry.isDirectory()) {
        if (job.kind !== "dir" && entry.name.includes("\uFFFD")) {
          issues.push(validateName(entry.name, job.kind === "cluster" ? "host" : "app", display(abs)));
          continue;
        }
        if (job.kind === "cluster") {
          const host = { name: entry.name, abs, hasPlainFile: false, apps: [] };
          hostAccs.push(host);
          jobs.push({ kind: "host", abs, host });
        } else if (job.kind === "host") {
          const app = { name: entry.name, abs, files: /* @__PURE__ */ new Map() };
          job.host.apps.push(app);
          jobs.push({ kind: "dir", abs, app, prefix: "" });
        } else {
          jobs.push({ kind: "dir", abs, app: job.app, prefix: `${job.prefix}${entry.name}/` });
        }
      } else if (entry.isFile()) {
        if (job.kind === "host") job.host.hasPlainFile = true;
        else if (job.kind === "dir") jobs.push({ kind: "file", abs, app: job.app, path: `${job.prefix}${entry.name}` });
      } else {
        issues.push(specialFileIssue(display(abs), entry));
      }
    }
  };
  await drain(jobs, options.concurrency ?? 32, handle);
  const hosts = /* @__PURE__ */ new Map();
  for (const host of hostAccs.sort(byName)) {
    const apps = host.apps.filter((app) => app.files.size > 0).sort(byName);
    if (apps.length === 0 && !host.hasPlainFile) continue;
    const hostIssue = validateName(host.name, "host", display(host.abs));
    if (hostIssue !== void 0) issues.push(hostIssue);
    const snapshots = /* @__PURE__ */ new Map();
    const forConflicts = [];
    for (const app of apps) {
      const { snapshot, conflicts } = finishApp(app, display, issues);
      snapshots.set(app.name, snapshot);
      forConflicts.push(conflicts);
    }
    issues.push(...checkHostConflicts(forConflicts));
    hosts.set(host.name, { name: host.name, apps: snapshots });
  }
  const { settings, issues: settingsIssues } = await loadSettings(root, new Set(hosts.keys()), cwd);
  issues.push(...settingsIssues);
  if (issues.length > 0) throw new ConfigError(sortIssues(issues));
  return { tree: { cluster: basename(root), dir: root, hosts }, settings };
}
async function loadConfigTree(dir, options = {}) {
  return (await loadCluster(dir, options)).tree;
}
async function checkClusterDir(root, shown) {
  let stats;
  try {
    stats = await stat2(root);
  } catch (error) {
    const missing = error.code === "ENOENT";
    throw new ConfigError([
      missing ? { path: shown, message: "cluster directory does not exist", hint: "Pass the path of a cluster directory, e.g. prod." } : fileSystemIssue(shown, error)
    ]);
  }
  if (!stats.isDirectory()) {
    throw new ConfigError([{ path: shown, message: "is not a directory", hint: "Pass the path of a cluster directory, e.g. prod." }]);
  }
}
function finishApp(app, display, issues) {
  const at2 = (relative4) => display(`${app.abs}/${relative4}`);
  const appIssue = validateName(app.name, "app", display(app.abs));
  if (appIssue !== void 0) issues.push(appIssue);
  const files = new Map([...app.files].sort(([a], [b3]) => a < b3 ? -1 : 1));
  const paths = [...files.keys()];
  issues.push(...checkAppLayout(paths, at2));
  let manifest = EMPTY_MANIFEST;
  let targetPositions = /* @__PURE__ */ new Map();
  if (app.manifest !== void 0) {
    const text = decodeUtf8(app.manifest);
    if (text === void 0) {
      issues.push({ path: at2("manifest.json"), message: "is not valid UTF-8", hint: "Save it as UTF-8." });
    } else {
      const parsed = parseManifest(text, at2("manifest.json"), new Set(paths));
      issues.push(...parsed.issues);
      manifest = parsed.manifest;
      targetPositions = parsed.targetPositions;
    }
  }
  return {
    snapshot: { name: app.name, files, manifest, treeOid: appTreeOid(files) },
    conflicts: { name: app.name, files: paths, manifest, at: at2, targetPositions }
  };
}
function drain(jobs, concurrency, handle) {
  return new Promise((resolvePromise, reject) => {
    let active = 0;
    let failed = false;
    const pump = () => {
      if (failed) return;
      while (active < concurrency && jobs.length > 0) {
        active++;
        handle(jobs.pop()).then(
          () => {
            active--;
            pump();
          },
          (error) => {
            failed = true;
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        );
      }
      if (active === 0) resolvePromise();
    };
    pump();
  });
}
async function hashFile(path, buffer, keep) {
  const fd = await openFile(path);
  try {
    const stats = await fstatFile(fd);
    if (!stats.isFile()) throw new FileProblem(specialFileIssue("", stats));
    const size = stats.size;
    const kept = keep && size <= MANIFEST_MAX ? [] : void 0;
    const hash = createHash3("sha1").update(blobHeader(size));
    let total = 0;
    for (; ; ) {
      const wanted = Math.min(buffer.length, size - total + 1);
      const count2 = await readChunk(fd, buffer, wanted, total);
      if (count2 === 0) break;
      total += count2;
      if (total > size) break;
      const chunk = buffer.subarray(0, count2);
      hash.update(chunk);
      kept?.push(Buffer.from(chunk));
      if (count2 < wanted) break;
    }
    if (total !== size) {
      throw new FileProblem({ message: "changed while deptool was reading it", hint: "Run again once nothing is writing to the config tree." });
    }
    return {
      entry: { oid: hash.digest("hex"), executable: (stats.mode & 64) !== 0, size },
      content: kept === void 0 ? void 0 : Buffer.concat(kept)
    };
  } finally {
    await closeFile(fd);
  }
}
var OPEN_FLAGS = constants2.O_RDONLY | constants2.O_NOFOLLOW | constants2.O_NONBLOCK;
function openFile(path) {
  return new Promise((done, fail2) => open(path, OPEN_FLAGS, (error, fd) => error ? fail2(error) : done(fd)));
}
function fstatFile(fd) {
  return new Promise((done, fail2) => fstat(fd, (error, stats) => error ? fail2(error) : done(stats)));
}
function readChunk(fd, buffer, length, position) {
  return new Promise((done, fail2) => read(fd, buffer, 0, length, position, (error, count2) => error ? fail2(error) : done(count2)));
}
function closeFile(fd) {
  return new Promise((done) => close(fd, () => done()));
}
function byName(a, b3) {
  return a.name < b3.name ? -1 : a.name > b3.name ? 1 : 0;
}
function sortIssues(issues) {
  const seen = /* @__PURE__ */ new Set();
  const unique = issues.filter((issue) => {
    const key = JSON.stringify([issue.path, issue.line, issue.column, issue.message]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.sort(
    (a, b3) => a.path !== b3.path ? a.path < b3.path ? -1 : 1 : (a.line ?? 0) - (b3.line ?? 0) || (a.column ?? 0) - (b3.column ?? 0)
  );
}

// src/cli/context.ts
var DEFAULT_CLUSTER_KEY = "deptool.cluster";
function storeDir(io2, option) {
  return resolve3(io2.cwd, option ?? io2.env.DEPTOOL_STORE ?? ".deptool");
}
function displayPath2(io2, path) {
  const rel = relative2(io2.cwd, path);
  return rel === "" ? "." : rel.startsWith("..") || isAbsolute2(rel) ? path : rel;
}
function clusterRef(cluster) {
  return `refs/heads/${cluster}`;
}
async function clusterDir(io2, store, positional) {
  let dir;
  if (positional !== void 0) {
    dir = resolve3(io2.cwd, positional);
  } else {
    const recorded = await store.getConfig(DEFAULT_CLUSTER_KEY);
    if (recorded === null) {
      throw new UsageError("No cluster directory given and no default recorded.\nPass the cluster directory (e.g. 'deptool plan prod'), or run 'deptool init DIR' to record one.");
    }
    dir = resolve3(dirname(store.dir), recorded);
  }
  const info = await stat3(dir).catch(() => null);
  if (!info?.isDirectory()) {
    throw new ConfigError([{ path: displayPath2(io2, dir), message: "cluster directory does not exist", hint: "Create it, or run 'deptool init DIR'." }]);
  }
  return dir;
}
function validateLimit(tree, deployed, limit) {
  if (!limit) return void 0;
  const unknown = limit.filter((h3) => !tree.hosts.has(h3) && !deployed.has(h3));
  if (unknown.length > 0) {
    const known = [...tree.hosts.keys()].sort().join(", ") || "(none)";
    throw new UsageError(`--limit names unknown host${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}.
Hosts in cluster '${tree.cluster}': ${known}.`);
  }
  return new Set(limit);
}
async function planCluster(io2, options) {
  const store = await Store.open(storeDir(io2, options.store));
  const dir = await clusterDir(io2, store, options.dir);
  const tree = await loadConfigTree(dir, { cwd: io2.cwd });
  const ref = clusterRef(basename2(dir));
  const base = await store.tip(ref);
  const deployed = await loadDeployed(store, await store.readTree(base));
  const limit = validateLimit(tree, deployed, options.limit);
  const plan = makePlan({ cluster: tree.cluster, base, deployed, desired: tree.hosts, limit });
  return { store, tree, deployed, ref, plan };
}

// src/cli/commands/diff.ts
var spec = {
  name: "diff",
  usage: "deptool diff [DIR] [--stat] [--limit HOST,...]",
  summary: "Show the full unified diff between what is deployed (the store) and the config tree DIR.\nOn a terminal the diff goes through $PAGER (default: less).",
  options: { stat: { type: "boolean" }, limit: { type: "string", multiple: true } },
  optionHelp: ["--stat            only a per-file summary of changed lines", "--limit HOST,...  diff only these hosts (repeatable)"],
  maxPositionals: 1
};
async function page(io2, text) {
  const [command, ...pagerArgs] = (io2.env.PAGER ?? "less").trim().split(/\s+/);
  if (!command || command === "cat") {
    io2.stdout.write(text);
    return;
  }
  await new Promise((done) => {
    const child = spawn2(command, pagerArgs, { stdio: ["pipe", "inherit", "inherit"], env: { LESS: "FRX", ...io2.env } });
    child.on("error", () => {
      io2.stdout.write(text);
      done();
    });
    child.on("close", () => done());
    child.stdin.on("error", () => void 0);
    child.stdin.end(text);
  });
}
async function run(io2, args) {
  const { plan, tree, store } = await planCluster(io2, {
    store: args.values.store,
    dir: args.positionals[0],
    limit: listOption(args.values.limit)
  });
  if (plan.hosts.length === 0) {
    io2.stdout.write(`${upToDateLine(plan.cluster)}
`);
    return 0;
  }
  const contents = await loadPlanContents(plan, tree, store);
  const out = [];
  let added = 0;
  let removed = 0;
  let files = 0;
  for (const host of plan.hosts) {
    for (const app of host.apps) {
      for (const file of app.files) {
        const path = `${host.host}/${app.app}/${file.path}`;
        const { old, new: next } = contents.get(host.host, app.app, file.path);
        if (args.values.stat) {
          const stat5 = diffStat(old, next);
          files += 1;
          added += stat5.added;
          removed += stat5.removed;
          out.push(` ${path} | ${stat5.binary ? "binary" : `${stat5.added + stat5.removed} ${"+".repeat(Math.min(stat5.added, 40))}${"-".repeat(Math.min(stat5.removed, 40))}`}`);
        } else {
          out.push(unifiedDiff(path, old, next, { oldExecutable: file.old?.executable, newExecutable: file.new?.executable }));
        }
      }
    }
  }
  if (args.values.stat) {
    out.push(` ${files} file${files === 1 ? "" : "s"} changed, ${added} insertion${added === 1 ? "" : "s"}(+), ${removed} deletion${removed === 1 ? "" : "s"}(-)`);
  }
  const text = `${out.join("\n").replace(/\n*$/, "")}
`;
  if (io2.stdout.isTTY) await page(io2, text);
  else io2.stdout.write(text);
  return 0;
}

// src/cli/commands/init.ts
var init_exports = {};
__export(init_exports, {
  run: () => run2,
  spec: () => spec2
});
import { mkdir as mkdir2, stat as stat4 } from "node:fs/promises";
import { basename as basename3, dirname as dirname2, relative as relative3, resolve as resolve4 } from "node:path";
var spec2 = {
  name: "init",
  usage: "deptool init [DIR]",
  summary: "Create the store (a bare git repository, .deptool by default) and the cluster directory DIR,\nand record DIR as the default cluster for the other commands.",
  options: {},
  optionHelp: [],
  maxPositionals: 1
};
async function run2(io2, args) {
  const dir = storeDir(io2, args.values.store);
  const existed = await stat4(dir).then(() => true, () => false);
  const store = existed ? await Store.open(dir) : await Store.init(dir);
  io2.stdout.write(existed ? `Using existing store at '${displayPath2(io2, dir)}'.
` : `Initialized store at '${displayPath2(io2, dir)}'.
`);
  const positional = args.positionals[0];
  if (positional === void 0) {
    io2.stdout.write("Create a cluster with 'deptool init DIR' to record it as the default.\n");
    return 0;
  }
  const cluster = resolve4(io2.cwd, positional);
  const nameIssue = validateName(basename3(cluster), "cluster", displayPath2(io2, cluster));
  if (nameIssue) throw new ConfigError([nameIssue]);
  const info = await stat4(cluster).catch(() => null);
  if (info && !info.isDirectory()) {
    throw new ConfigError([{ path: displayPath2(io2, cluster), message: "exists and is not a directory", hint: "Choose another name for the cluster directory." }]);
  }
  if (!info) await mkdir2(cluster, { recursive: true });
  await store.setConfig(DEFAULT_CLUSTER_KEY, relative3(dirname2(store.dir), cluster) || ".");
  const verb = info ? "Recorded existing cluster directory" : "Created cluster directory";
  io2.stdout.write(`${verb} '${displayPath2(io2, cluster)}' and recorded it as the default.
`);
  return 0;
}

// src/cli/commands/log.ts
var log_exports = {};
__export(log_exports, {
  formatDate: () => formatDate,
  run: () => run3,
  spec: () => spec3
});
import { basename as basename4 } from "node:path";
var spec3 = {
  name: "log",
  usage: "deptool log [DIR] [--host HOST] [-n N]",
  summary: "Show the deployment history of the cluster DIR recorded in the store, newest first:\none entry per attempt with its per-host results.",
  options: { host: { type: "string" }, number: { type: "string", short: "n" } },
  optionHelp: ["--host HOST       only attempts that involved HOST", "-n N              show at most N attempts"],
  maxPositionals: 1
};
function formatDate(date) {
  return `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}
async function run3(io2, args) {
  const number = args.values.number;
  const limit = number === void 0 ? void 0 : Number(number);
  if (limit !== void 0 && !(Number.isInteger(limit) && limit > 0)) throw new UsageError(`-n takes a positive whole number, not '${number}'.`);
  const store = await Store.open(storeDir(io2, args.values.store));
  const dir = await clusterDir(io2, store, args.positionals[0]);
  const records = await store.log(clusterRef(basename4(dir)), { limit, host: args.values.host });
  if (records.length === 0) {
    io2.stdout.write(`No deploys recorded for cluster '${basename4(dir)}' yet.
`);
    return 0;
  }
  const out = [];
  for (const record of records) {
    out.push(`${record.commit.slice(0, 10)}  ${formatDate(record.date)}  ${record.author.name}`);
    out.push(`    ${record.title}`);
    for (const result of record.results) {
      out.push(`    ${result.host}: ${result.status}${result.detail ? ` (${result.detail})` : ""}`);
    }
    for (const [key, value] of Object.entries(record.trailers)) {
      if (value) out.push(`    ${key}: ${value}`);
    }
    out.push("");
  }
  io2.stdout.write(out.join("\n"));
  return 0;
}

// src/cli/commands/plan.ts
var plan_exports = {};
__export(plan_exports, {
  run: () => run4,
  spec: () => spec4
});

// src/plan/json.ts
import { createHash as createHash4 } from "node:crypto";
function entryJson(entry) {
  return entry && { oid: entry.oid, executable: entry.executable, size: entry.size };
}
function appJson(app) {
  return {
    app: app.app,
    action: app.action,
    old_rev: app.oldRev,
    new_rev: app.newRev,
    files: app.files.map((f3) => ({ path: f3.path, change: f3.change, old: entryJson(f3.old), new: entryJson(f3.new) })),
    symlinks: app.symlinks.map((l3) => ({ target: l3.target, change: l3.change, source: l3.source, old_source: l3.oldSource })),
    sysusers: { link: [...app.sysusers.link], unlink: [...app.sysusers.unlink], run: app.runSysusers },
    units: {
      link: [...app.units.link],
      unlink: [...app.units.unlink],
      disable: [...app.units.disable],
      enable: [...app.units.enable],
      restart: [...app.units.restart]
    }
  };
}
function hostJson(host) {
  return {
    host: host.host,
    new_host: host.newHost,
    rollback: { available: host.rollback.available, reasons: [...host.rollback.reasons] },
    apps: host.apps.map(appJson)
  };
}
function canonicalJson(value) {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k2) => `${JSON.stringify(k2)}:${canonicalJson(value[k2])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
function planDigest(plan) {
  const subject = { schema: plan.schema, cluster: plan.cluster, hosts: plan.hosts.map(hostJson) };
  return `sha256:${createHash4("sha256").update(canonicalJson(subject), "utf8").digest("hex")}`;
}
function count(items, pick) {
  const counts = {};
  for (const item of items) counts[pick(item)] = (counts[pick(item)] ?? 0) + 1;
  return counts;
}
function planToJson(plan) {
  const apps = plan.hosts.flatMap((h3) => h3.apps);
  const files = apps.flatMap((a) => a.files);
  return {
    schema: plan.schema,
    cluster: plan.cluster,
    base: plan.base,
    digest: planDigest(plan),
    summary: {
      hosts_changed: plan.hosts.length,
      hosts_up_to_date: plan.upToDate.length,
      apps: { add: 0, update: 0, remove: 0, ...count(apps, (a) => a.action) },
      files: { add: 0, modify: 0, remove: 0, ...count(files, (f3) => f3.change) },
      rollback_unavailable: plan.hosts.filter((h3) => !h3.rollback.available).map((h3) => h3.host)
    },
    hosts: plan.hosts.map(hostJson),
    up_to_date: [...plan.upToDate],
    untracked: [...plan.untracked]
  };
}
function renderJson(plan) {
  return `${JSON.stringify(planToJson(plan), null, 2)}
`;
}

// src/render/markdown.ts
import { createHash as createHash5 } from "node:crypto";

// node_modules/markdown-table/index.js
function defaultStringLength(value) {
  return value.length;
}
function markdownTable(table, options) {
  const settings = options || {};
  const align = (settings.align || []).concat();
  const stringLength = settings.stringLength || defaultStringLength;
  const alignments = [];
  const cellMatrix = [];
  const sizeMatrix = [];
  const longestCellByColumn = [];
  let mostCellsPerRow = 0;
  let rowIndex = -1;
  while (++rowIndex < table.length) {
    const row2 = [];
    const sizes2 = [];
    let columnIndex2 = -1;
    if (table[rowIndex].length > mostCellsPerRow) {
      mostCellsPerRow = table[rowIndex].length;
    }
    while (++columnIndex2 < table[rowIndex].length) {
      const cell2 = serialize(table[rowIndex][columnIndex2]);
      if (settings.alignDelimiters !== false) {
        const size = stringLength(cell2);
        sizes2[columnIndex2] = size;
        if (longestCellByColumn[columnIndex2] === void 0 || size > longestCellByColumn[columnIndex2]) {
          longestCellByColumn[columnIndex2] = size;
        }
      }
      row2.push(cell2);
    }
    cellMatrix[rowIndex] = row2;
    sizeMatrix[rowIndex] = sizes2;
  }
  let columnIndex = -1;
  if (typeof align === "object" && "length" in align) {
    while (++columnIndex < mostCellsPerRow) {
      alignments[columnIndex] = toAlignment(align[columnIndex]);
    }
  } else {
    const code = toAlignment(align);
    while (++columnIndex < mostCellsPerRow) {
      alignments[columnIndex] = code;
    }
  }
  columnIndex = -1;
  const row = [];
  const sizes = [];
  while (++columnIndex < mostCellsPerRow) {
    const code = alignments[columnIndex];
    let before = "";
    let after = "";
    if (code === 99) {
      before = ":";
      after = ":";
    } else if (code === 108) {
      before = ":";
    } else if (code === 114) {
      after = ":";
    }
    let size = settings.alignDelimiters === false ? 1 : Math.max(
      1,
      longestCellByColumn[columnIndex] - before.length - after.length
    );
    const cell2 = before + "-".repeat(size) + after;
    if (settings.alignDelimiters !== false) {
      size = before.length + size + after.length;
      if (size > longestCellByColumn[columnIndex]) {
        longestCellByColumn[columnIndex] = size;
      }
      sizes[columnIndex] = size;
    }
    row[columnIndex] = cell2;
  }
  cellMatrix.splice(1, 0, row);
  sizeMatrix.splice(1, 0, sizes);
  rowIndex = -1;
  const lines = [];
  while (++rowIndex < cellMatrix.length) {
    const row2 = cellMatrix[rowIndex];
    const sizes2 = sizeMatrix[rowIndex];
    const cellsInRow = settings.fillRows === false ? Math.max(1, cellMatrix[rowIndex === 1 ? 0 : rowIndex].length) : mostCellsPerRow;
    columnIndex = -1;
    const line = [];
    while (++columnIndex < cellsInRow) {
      const cell2 = row2[columnIndex] || "";
      let before = "";
      let after = "";
      if (settings.alignDelimiters !== false) {
        const size = longestCellByColumn[columnIndex] - (sizes2[columnIndex] || 0);
        const code = alignments[columnIndex];
        if (code === 114) {
          before = " ".repeat(size);
        } else if (code === 99) {
          const half = size / 2;
          if (size % 2) {
            before = " ".repeat(half + 0.5);
            after = " ".repeat(half - 0.5);
          } else {
            before = " ".repeat(half);
            after = before;
          }
        } else {
          after = " ".repeat(size);
        }
      }
      if (settings.delimiterStart !== false && !columnIndex) {
        line.push("|");
      }
      if (settings.padding !== false && // Don’t add the opening space if we’re not aligning and the cell is
      // empty: there will be a closing space.
      !(settings.alignDelimiters === false && cell2 === "") && (settings.delimiterStart !== false || columnIndex)) {
        line.push(" ");
      }
      if (settings.alignDelimiters !== false) {
        line.push(before);
      }
      line.push(cell2);
      if (settings.alignDelimiters !== false) {
        line.push(after);
      }
      if (settings.padding !== false) {
        line.push(" ");
      }
      if (settings.delimiterEnd !== false || columnIndex !== cellsInRow - 1) {
        line.push("|");
      }
    }
    lines.push(
      settings.delimiterEnd === false ? line.join("").replace(/ +$/, "") : line.join("")
    );
  }
  return lines.join("\n");
}
function serialize(value) {
  return value === null || value === void 0 ? "" : String(value);
}
function toAlignment(value) {
  const code = typeof value === "string" ? value.codePointAt(0) : 0;
  return code === 67 || code === 99 ? 99 : code === 76 || code === 108 ? 108 : code === 82 || code === 114 ? 114 : 0;
}

// src/render/markdown.ts
var import_picomatch = __toESM(require_picomatch2(), 1);
var COMMENT_BUDGET = 65e3;
var CLOSE_DETAILS = "</details>";
var FILE_MARKS = { add: "+", modify: "~", remove: "-" };
function plural(n, word2) {
  return `${n} ${word2}${n === 1 ? "" : "s"}`;
}
function printable2(text) {
  return text.replace(/[\x00-\x1f\x7f]/g, (c3) => `\\x${c3.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
function escapeHtml(text) {
  return printable2(text).replace(/[&<>"]/g, (c3) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c3]);
}
function longestBacktickRun(text) {
  let longest = 0;
  for (const run6 of text.match(/`+/g) ?? []) longest = Math.max(longest, run6.length);
  return longest;
}
function codeSpan(text) {
  const content = printable2(text);
  const ticks = "`".repeat(longestBacktickRun(content) + 1);
  const pad = content.trim() !== "" && /^[` ]|[` ]$/.test(content) ? " " : "";
  return `${ticks}${pad}${content}${pad}${ticks}`;
}
function fence(content, info) {
  const ticks = "`".repeat(Math.max(3, longestBacktickRun(content) + 1));
  return `${ticks}${info}
${content}${ticks}`;
}
function details(summary, body) {
  return `<details>
<summary>${summary}</summary>

${body}

${CLOSE_DETAILS}`;
}
function seeAlso(fullPlanAt) {
  return fullPlanAt === null ? "" : `; see ${fullPlanAt}`;
}
function fileCounts(files) {
  const count2 = (change) => files.filter((f3) => f3.change === change).length;
  return `+${count2("add")} ~${count2("modify")} -${count2("remove")}`;
}
function hostCounts(host) {
  const counts = `${plural(host.apps.length, "app")}, files ${fileCounts(host.apps.flatMap((a) => a.files))}`;
  return host.rollback.available ? counts : `${counts}, rollback unavailable`;
}
function appFacts(app) {
  const items = [];
  for (const file of app.files) items.push(`${FILE_MARKS[file.change]} ${file.path}`);
  for (const link of app.symlinks) {
    items.push(link.change === "link" ? `link ${link.target} -> ${link.source}` : `unlink ${link.target}`);
  }
  for (const file of app.sysusers.unlink) items.push(`unlink sysusers ${file}`);
  for (const file of app.sysusers.link) items.push(`link sysusers ${file}`);
  for (const unit of app.units.disable) items.push(`disable unit ${unit}`);
  for (const unit of app.units.unlink) items.push(`unlink unit ${unit}`);
  for (const unit of app.units.link) items.push(`link unit ${unit}`);
  for (const unit of app.units.enable) items.push(`enable unit ${unit}`);
  for (const unit of app.units.restart) items.push(`restart unit ${unit}`);
  return [`${app.action} ${app.app}`, ...items.map((item) => `    ${item}`)].map(printable2);
}
function sha256(content) {
  return createHash5("sha256").update(content).digest("hex");
}
function sha256Prefix(content) {
  return sha256(content).slice(0, 12);
}
function sensitiveNotes(change, old, next) {
  if (!old) return next ? [`content added (sha256 ${sha256Prefix(next)})`] : [];
  if (!next) return [`content removed (sha256 ${sha256Prefix(old)})`];
  const notes = old.equals(next) ? [] : [`content changed (sha256 ${sha256Prefix(old)} \u2192 ${sha256Prefix(next)})`];
  const oldExecutable = change.old?.executable ?? false;
  const newExecutable = change.new?.executable ?? false;
  return oldExecutable === newExecutable ? notes : [...notes, modeNote(oldExecutable, newExecutable)];
}
function noteLine(label, notes) {
  return notes.length === 0 ? codeSpan(label) : `${codeSpan(label)}: ${notes.join(", ")}`;
}
function changeDiff(host, app, change, context) {
  const oldExecutable = change.old?.executable ?? false;
  const newExecutable = change.new?.executable ?? false;
  const { old, new: next } = context.contents.get(host, app, change.path);
  const key = `${old ? sha256(old) : "-"} ${oldExecutable} ${next ? sha256(next) : "-"} ${newExecutable}`;
  let diff = context.diffs.get(key);
  if (!diff) {
    diff = fileDiff(`${host}/${app}/${change.path}`, old, next, { oldExecutable, newExecutable });
    context.diffs.set(key, diff);
  }
  return diff;
}
function fileBlock(host, app, change, context) {
  const label = `${FILE_MARKS[change.change]} ${app}/${change.path}`;
  if (context.isSensitive(`${host}/${app}/${change.path}`)) {
    const { old, new: next } = context.contents.get(host, app, change.path);
    const line = noteLine(label, sensitiveNotes(change, old, next));
    return { full: line, short: line };
  }
  const diff = changeDiff(host, app, change, context);
  if (diff.stat.added + diff.stat.removed === 0) {
    const line = noteLine(label, diff.notes);
    return { full: line, short: line };
  }
  const facts = [`+${diff.stat.added} \u2212${diff.stat.removed}`, ...diff.notes];
  return {
    full: details(`<code>${escapeHtml(label)}</code> (${escapeHtml(facts.join(", "))})`, fence(diff.body, "diff")),
    short: `${codeSpan(label)} (${[...facts, `diff too large to show here${seeAlso(context.fullPlanAt)}`].join(", ")})`
  };
}
function hostSection(host, context) {
  const counts = hostCounts(host);
  return {
    open: `<details>
<summary><code>${escapeHtml(host.host)}</code>: ${counts}</summary>`,
    facts: fence(host.apps.flatMap(appFacts).join("\n") + "\n", ""),
    files: host.apps.flatMap((app) => app.files.map((change) => fileBlock(host.host, app.app, change, context))),
    line: `${codeSpan(host.host)}: ${counts} (too large to show here${seeAlso(context.fullPlanAt)})`
  };
}
function cell(markdown) {
  return markdown.replaceAll("|", "\\|");
}
function tableLines(plan) {
  const rows = plan.hosts.flatMap(
    (host) => host.apps.map((app, index) => {
      const rollback = host.rollback.available ? "\u2705 available" : `\u26A0\uFE0F unavailable: ${host.rollback.reasons.map(codeSpan).join(", ")}`;
      const restarted = app.units.restart.map(codeSpan).join(", ");
      return [
        index === 0 ? codeSpan(host.host) : "",
        codeSpan(app.app),
        app.action,
        fileCounts(app.files),
        restarted === "" ? "\u2014" : restarted,
        index === 0 ? rollback : ""
      ].map(cell);
    })
  );
  const header = ["Host", "App", "Action", "Files", "Units restarted", "Rollback"];
  return markdownTable([header, ...rows], { alignDelimiters: false }).split("\n");
}
function summaryLine(plan) {
  if (plan.hosts.length === 0) return `All hosts in cluster ${codeSpan(plan.cluster)} are up to date.`;
  const toChange = `${plural(plan.hosts.length, "host")} to change`;
  return plan.upToDate.length === 0 ? `${toChange}.` : `${toChange}, ${plan.upToDate.length} up to date.`;
}
function encodeField(value) {
  return value.replace(/[^A-Za-z0-9._:~-]/gu, (c3) => encodeURIComponent(c3));
}
function planMarker(marker) {
  return `<!-- deptool-plan cluster=${encodeField(marker.cluster)} schema=${marker.schema} digest=${encodeField(marker.digest)} -->`;
}
function renderMarkdownReport(plan, contents, options) {
  const budget = options.budget ?? COMMENT_BUDGET;
  const measure = options.unit === "utf8" ? (text) => Buffer.byteLength(text, "utf8") : (text) => text.length;
  const cost = (blocks) => blocks.reduce((sum, block) => sum + measure(block) + 2, 0);
  const fullPlanAt = options.fullPlanAt === void 0 ? "the job summary" : options.fullPlanAt;
  const title = [
    `${planMarker({ cluster: plan.cluster, schema: plan.schema, digest: options.digest })}
### deptool plan for cluster ${codeSpan(plan.cluster)}`,
    ...options.header ? [options.header] : [],
    summaryLine(plan)
  ];
  const base = plan.base === null ? "an empty store" : `store commit <code>${escapeHtml(plan.base.slice(0, 10))}</code>`;
  const tail = [
    ...plan.untracked.length === 0 ? [] : [`Left alone (in the store, not in the config tree): ${plan.untracked.map(codeSpan).join(", ")}.`],
    `<sub>Plan digest <code>${escapeHtml(options.digest)}</code>, computed against ${base}.</sub>`
  ];
  const lines = plan.hosts.length === 0 ? [] : tableLines(plan);
  const rowCount = Math.max(0, lines.length - 2);
  const table = (rows) => {
    if (rows === rowCount) return rowCount === 0 ? [] : [lines.join("\n")];
    const note = `\u2026and ${plural(rowCount - rows, "more row")} (too many to show here${seeAlso(fullPlanAt)}).`;
    return rows === 0 ? [note] : [lines.slice(0, rows + 2).join("\n"), note];
  };
  const fits = (size) => size - 1 < budget;
  const context = {
    contents,
    isSensitive: (0, import_picomatch.default)([...options.sensitivePaths], { dot: true }),
    fullPlanAt,
    diffs: /* @__PURE__ */ new Map()
  };
  const sections = plan.hosts.map((host) => {
    const section = hostSection(host, context);
    const frame = cost([section.open, section.facts, CLOSE_DETAILS]);
    const shortest = frame + cost(section.files.map((f3) => f3.short));
    return { ...section, frame, shortest, saving: shortest - cost([section.line]) };
  });
  const fixed = cost(title) + cost(table(rowCount)) + cost(tail);
  const expanded = new Set(sections);
  let total = fixed + sections.reduce((sum, s) => sum + s.shortest, 0);
  for (const section of [...sections].sort((a, b3) => b3.saving - a.saving)) {
    if (fits(total)) break;
    expanded.delete(section);
    total -= section.saving;
  }
  if (!fits(total)) {
    const omitted = sections.length === 0 ? [] : [`Details of ${plural(sections.length, "host")} are too large to show here${seeAlso(fullPlanAt)}.`];
    const sizeWith = (rows) => cost(title) + cost(table(rows)) + cost(omitted) + cost(tail);
    let low = 0;
    let high = rowCount;
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (fits(sizeWith(mid))) low = mid;
      else high = mid - 1;
    }
    if (!fits(sizeWith(low))) throw new RangeError(`A budget of ${budget} is too small for the plan's summary.`);
    return finish([...title, ...table(low), ...omitted, ...tail], {
      collapsedDiffs: 0,
      collapsedHosts: 0,
      omittedHosts: sections.length,
      omittedRows: rowCount - low
    });
  }
  total = fixed;
  for (const s of sections) total += expanded.has(s) ? s.frame + cost(s.files.map((f3) => f3.full)) : cost([s.line]);
  const collapsed = /* @__PURE__ */ new Set();
  const diffs = [...expanded].flatMap((s) => s.files).filter((f3) => f3.full !== f3.short).map((f3) => ({ block: f3, saving: cost([f3.full]) - cost([f3.short]) })).sort((a, b3) => b3.saving - a.saving);
  for (const { block, saving } of diffs) {
    if (fits(total)) break;
    collapsed.add(block);
    total -= saving;
  }
  const hostBlocks = sections.flatMap(
    (s) => expanded.has(s) ? [s.open, s.facts, ...s.files.map((f3) => collapsed.has(f3) ? f3.short : f3.full), CLOSE_DETAILS] : [s.line]
  );
  return finish([...title, ...table(rowCount), ...hostBlocks, ...tail], {
    collapsedDiffs: collapsed.size,
    collapsedHosts: sections.length - expanded.size,
    omittedHosts: 0,
    omittedRows: 0
  });
}
function finish(blocks, counts) {
  const complete = counts.collapsedDiffs + counts.collapsedHosts + counts.omittedHosts + counts.omittedRows === 0;
  return { markdown: blocks.join("\n\n") + "\n", complete, ...counts };
}
function renderMarkdown(plan, contents, options) {
  return renderMarkdownReport(plan, contents, options).markdown;
}

// src/cli/io.ts
function useColor(io2) {
  if (io2.env.NO_COLOR) return false;
  if (io2.env.FORCE_COLOR) return true;
  return io2.stdout.isTTY === true;
}

// src/cli/commands/plan.ts
var spec4 = {
  name: "plan",
  usage: "deptool plan [DIR] [--json | --markdown] [--limit HOST,...]",
  summary: "Show what a deploy of the cluster DIR (default: the recorded cluster) would change.\nReads the config tree and the store only; no host is contacted.",
  options: {
    json: { type: "boolean" },
    markdown: { type: "boolean" },
    limit: { type: "string", multiple: true },
    sensitive: { type: "string", multiple: true }
  },
  optionHelp: [
    "--json            print the plan as JSON (schema: docs/plan-json.md), with its digest",
    "--markdown        print the plan as the pull-request comment body",
    "--limit HOST,...  plan only these hosts (repeatable)",
    "--sensitive GLOB  with --markdown: never show the content of matching files",
    "                  (globs over HOST/APP/PATH, repeatable)"
  ],
  maxPositionals: 1
};
async function run4(io2, args) {
  if (args.values.json && args.values.markdown) throw new UsageError("--json and --markdown cannot be combined.");
  const { plan, tree, store } = await planCluster(io2, {
    store: args.values.store,
    dir: args.positionals[0],
    limit: listOption(args.values.limit)
  });
  if (args.values.json) {
    io2.stdout.write(renderJson(plan));
  } else if (args.values.markdown) {
    const contents = await loadPlanContents(plan, tree, store);
    io2.stdout.write(renderMarkdown(plan, contents, { sensitivePaths: listOption(args.values.sensitive) ?? [], digest: planDigest(plan) }));
  } else {
    io2.stdout.write(renderText(plan, { color: useColor(io2) }));
  }
  return 0;
}

// src/cli/commands/status.ts
var status_exports = {};
__export(status_exports, {
  run: () => run5,
  spec: () => spec5
});

// src/cli/table.ts
function columns(rows) {
  const widths = [];
  for (const row of rows) row.forEach((cell2, i) => widths[i] = Math.max(widths[i] ?? 0, cell2.length));
  return rows.map((row) => row.map((cell2, i) => cell2.padEnd(widths[i])).join("  ").trimEnd()).join("\n") + "\n";
}

// src/cli/commands/status.ts
var spec5 = {
  name: "status",
  usage: "deptool status [DIR] [--limit HOST,...]",
  summary: 'Show, per host of the cluster DIR: the last deploy recorded in the store (date and commit),\nand the apps whose config differs from what is deployed, or "new host".\nReads the config tree and the store only; no host is contacted.',
  options: { limit: { type: "string", multiple: true } },
  optionHelp: ["--limit HOST,...  show only these hosts (repeatable)"],
  maxPositionals: 1
};
async function run5(io2, args) {
  const { plan, tree, store, ref, deployed } = await planCluster(io2, {
    store: args.values.store,
    dir: args.positionals[0],
    limit: listOption(args.values.limit)
  });
  const hosts = [...plan.hosts.map((h3) => h3.host), ...plan.upToDate].sort();
  if (hosts.length === 0 && plan.untracked.length === 0) {
    io2.stdout.write(`No hosts in cluster '${tree.cluster}'.
`);
    return 0;
  }
  const last = await store.lastResults(ref, hosts);
  const pending = new Map(plan.hosts.map((h3) => [h3.host, h3]));
  const rows = [["HOST", "LAST DEPLOY", "COMMIT", "RESULT", "STATE"]];
  for (const host of hosts) {
    const record = last.get(host);
    const hostPlan = pending.get(host);
    let state = "up to date";
    if (hostPlan && !deployed.has(host)) state = "new host";
    else if (hostPlan) state = `not deployed: ${hostPlan.apps.map((a) => `${a.action} ${a.app}`).join(", ")}`;
    rows.push(record ? [host, formatDate(record.date), record.commit.slice(0, 10), record.result.status, state] : [host, "-", "-", "-", state]);
  }
  for (const host of plan.untracked) rows.push([host, "-", "-", "-", "in the store, not in the config tree (left alone)"]);
  io2.stdout.write(columns(rows));
  return 0;
}

// src/cli/main.ts
var COMMANDS = [init_exports, plan_exports, diff_exports, status_exports, log_exports];
var VERSION = "0.1.0";
function mainHelp() {
  const width = Math.max(...COMMANDS.map((c3) => c3.spec.name.length));
  return [
    "Usage: deptool <command> [options]",
    "",
    "Makes hosts match a tree of pre-rendered config (<cluster>/<host>/<app>/...) over SSH.",
    "",
    "Commands:",
    ...COMMANDS.map((c3) => `  ${c3.spec.name.padEnd(width)}  ${c3.spec.summary.split("\n")[0]}`),
    "",
    "Run 'deptool <command> --help' for a command's options.",
    "Exit codes: 0 done or nothing to do, 1 operation failed, 2 usage or config error, 3 rolled back.",
    ""
  ].join("\n");
}
async function main(argv, io2) {
  const [name, ...rest] = argv;
  if (name === void 0 || name === "--help" || name === "-h" || name === "help") {
    io2.stdout.write(mainHelp());
    return name === void 0 ? ExitCode.usage : ExitCode.ok;
  }
  if (name === "--version" || name === "-V") {
    io2.stdout.write(`deptool ${VERSION}
`);
    return ExitCode.ok;
  }
  const command = COMMANDS.find((c3) => c3.spec.name === name);
  try {
    if (!command) {
      io2.stderr.write(`deptool: unknown command '${name}'.

${mainHelp()}`);
      return ExitCode.usage;
    }
    const args = parseCommand(command.spec, rest);
    if (args.values.help) {
      io2.stdout.write(helpText(command.spec));
      return ExitCode.ok;
    }
    return await command.run(io2, args);
  } catch (error) {
    if (error instanceof DeptoolError) {
      io2.stderr.write(`deptool${command ? ` ${command.spec.name}` : ""}: ${error.message}
`);
      return error.exitCode;
    }
    throw error;
  }
}
function isEntryPoint() {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}
if (isEntryPoint()) {
  const io2 = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() };
  main(process.argv.slice(2), io2).then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(`deptool: internal error: ${error instanceof Error ? error.stack ?? error.message : String(error)}
`);
      process.exitCode = ExitCode.failed;
    }
  );
}
export {
  main
};
