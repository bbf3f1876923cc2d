import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Turns the README's quick start into a program: the Java block under "## Quick start", with the imports below,
 * inside a main that starts a line server on loopback, points the block's endpoint at it, and checks that the
 * line the block sends arrives.
 *
 * <p>Usage: {@code java QuickStartSource.java README.md OUTPUT_DIR}
 */
public final class QuickStartSource {

    /**
     * What the quick start may use without importing it: every public package of the library, and the Netty,
     * SLF4J and JDK names a user of it would import. The one place to change when the README's block needs more.
     */
    static final List<String> IMPORTS = List.of(
            "io.resilientconnector.*",
            "io.resilientconnector.handler.*",
            "io.resilientconnector.transport.*",
            "io.netty.buffer.*",
            "io.netty.channel.*",
            "org.slf4j.Logger",
            "org.slf4j.LoggerFactory",
            "java.time.Duration",
            "static java.nio.charset.StandardCharsets.*");

    /** The block's endpoint, which the program replaces with the local server's. */
    static final String ENDPOINT = "\"gateway.example\", 7000";

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: java QuickStartSource.java README.md OUTPUT_DIR");
        }
        String block = quickStart(Files.readString(Path.of(args[0]), StandardCharsets.UTF_8));
        int at = block.indexOf(ENDPOINT);
        if (at < 0 || block.indexOf(ENDPOINT, at + 1) >= 0) {
            throw new IllegalStateException("the README's quick start must connect to " + ENDPOINT
                    + " exactly once, so that this program can point it at a local server; it reads:\n" + block);
        }
        block = block.replace(ENDPOINT, "HOST, PORT");

        StringBuilder out = new StringBuilder();
        out.append("// Generated from README.md's quick start by QuickStartSource.java: edit those, not this.\n");
        for (String name : IMPORTS) {
            out.append("import ").append(name).append(";\n");
        }
        out.append(TEMPLATE.replace("        /*QUICK START*/\n", indent(block, "        ")));
        Path dir = Files.createDirectories(Path.of(args[1]));
        Files.writeString(dir.resolve("QuickStart.java"), out.toString(), StandardCharsets.UTF_8);
    }

    /** The first java block after the "## Quick start" heading. */
    static String quickStart(String readme) {
        int heading = readme.indexOf("\n## Quick start\n");
        if (heading < 0) {
            throw new IllegalStateException("README.md has no \"## Quick start\" heading");
        }
        int start = readme.indexOf("```java\n", heading);
        int nextHeading = readme.indexOf("\n## ", heading + 1);
        if (start < 0 || (nextHeading >= 0 && start > nextHeading)) {
            throw new IllegalStateException("README.md's quick start has no ```java block");
        }
        start += "```java\n".length();
        int end = readme.indexOf("\n```", start - 1);
        return readme.substring(start, end + 1);
    }

    private static String indent(String block, String prefix) {
        StringBuilder b = new StringBuilder();
        for (String line : block.split("\n", -1)) {
            if (!line.isEmpty()) {
                b.append(prefix).append(line);
            }
            b.append('\n');
        }
        return b.toString().replaceAll("\n+$", "\n");
    }

    /**
     * The program around the block. It names everything of its own in full, so that the README's block sees
     * only the imports above, and it uses the block's {@code connector} to close it.
     */
    private static final String TEMPLATE = String.join("\n",
            "",
            "public final class QuickStart {",
            "",
            "    static final Logger log = LoggerFactory.getLogger(\"quickstart\");",
            "    static final String HOST = \"127.0.0.1\";",
            "    static int PORT;",
            "",
            "    /** The application's handler in the README; here it releases what it reads. */",
            "    static final class MyHandler extends ChannelInboundHandlerAdapter {",
            "        @Override",
            "        public void channelRead(ChannelHandlerContext ctx, Object msg) {",
            "            io.netty.util.ReferenceCountUtil.release(msg);",
            "        }",
            "    }",
            "",
            "    public static void main(String[] args) throws Exception {",
            "        java.net.ServerSocket server = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());",
            "        PORT = server.getLocalPort();",
            "        java.util.concurrent.CompletableFuture<String> received = new java.util.concurrent.CompletableFuture<>();",
            "        Thread reader = new Thread(() -> {",
            "            try (java.net.Socket s = server.accept(); java.io.BufferedReader in = new java.io.BufferedReader(",
            "                    new java.io.InputStreamReader(s.getInputStream(), US_ASCII))) {",
            "                received.complete(in.readLine());",
            "            } catch (java.io.IOException e) {",
            "                received.completeExceptionally(e);",
            "            }",
            "        }, \"line-server\");",
            "        reader.setDaemon(true);",
            "        reader.start();",
            "",
            "        // ---- README.md, Quick start ----",
            "        /*QUICK START*/",
            "        // ---- end of the quick start ----",
            "",
            "        String line = received.get(30, java.util.concurrent.TimeUnit.SECONDS);",
            "        connector.close();",
            "        server.close();",
            "        if (!\"hello\".equals(line)) {",
            "            throw new AssertionError(\"the server received \" + line + \", expected hello\");",
            "        }",
            "        System.out.println(\"QUICKSTART OK: the quick start connected and the server received \\\"\" + line + \"\\\"\");",
            "    }",
            "}",
            "");
}
