/**
 * The `openssl` binary as a function. node:crypto makes keys but cannot issue X.509 certificates,
 * so the CA tooling drives openssl (any 1.1.1 or 3.x) in a child process.
 */

/** The binary run unless the caller names another. */
export const DEFAULT_OPENSSL = "openssl";

export interface OpensslOptions {
  /** The binary to run. Default `openssl` on the PATH. */
  binary?: string;
  /** Working directory of the child process. */
  cwd?: string;
}

/**
 * Runs `openssl …args` and resolves with its standard output. Throws an `Error` saying how to
 * install openssl when the binary is missing, and one quoting openssl's message when it fails.
 */
export async function openssl(args: string[], options: OpensslOptions = {}): Promise<Uint8Array> {
  const binary = options.binary ?? DEFAULT_OPENSSL;
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(binary, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      ...(options.cwd ? { cwd: options.cwd } : {}),
    }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(
        `Cannot run "${binary}": openssl is not installed or not on the PATH ` +
          `(Debian/Ubuntu: apt-get install -y openssl; macOS: brew install openssl)`,
        { cause: error },
      );
    }
    throw error;
  }
  if (!output.success) {
    const message = new TextDecoder().decode(output.stderr).trim().split("\n").slice(0, 6).join("\n");
    throw new Error(`openssl ${args[0]} failed (exit ${output.code}): ${message}`);
  }
  return output.stdout;
}

/** A new RSA 2048 private key as PKCS#8 PEM, never written anywhere by openssl itself. */
export async function generatePrivateKey(options: OpensslOptions = {}): Promise<string> {
  const pem = await openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"], options);
  return new TextDecoder().decode(pem);
}

/** A random positive 128-bit serial number in openssl's hex notation. */
export function randomSerial(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = bytes[0]! & 0x7f;
  return "0x" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
