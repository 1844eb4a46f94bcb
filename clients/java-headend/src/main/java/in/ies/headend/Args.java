package in.ies.headend;

import java.util.HashMap;
import java.util.Map;

/** `command --name value --flag …` as given on the command line. */
final class Args {
  final String command;
  private final Map<String, String> options = new HashMap<>();

  Args(String[] argv) {
    if (argv.length == 0) throw new UsageException("no command");
    command = argv[0];
    for (int i = 1; i < argv.length; i++) {
      String a = argv[i];
      if (!a.startsWith("--") || a.length() < 3) throw new UsageException("unexpected argument " + a);
      String name = a.substring(2);
      boolean hasValue = i + 1 < argv.length && !argv[i + 1].startsWith("--");
      options.put(name, hasValue ? argv[++i] : "true");
    }
  }

  String required(String name) {
    String v = options.get(name);
    if (v == null || v.equals("true")) throw new UsageException("--" + name + " is required");
    return v;
  }

  String get(String name, String fallback) { return options.getOrDefault(name, fallback); }

  boolean flag(String name) { return "true".equals(options.get(name)); }

  long number(String name, long fallback) {
    String v = options.get(name);
    if (v == null) return fallback;
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new UsageException("--" + name + " must be a whole number, not " + v);
    }
  }

  static final class UsageException extends RuntimeException {
    UsageException(String message) { super(message); }
  }
}
