/** A user's module: it requires the connector alone and reads Netty and SLF4J through it. */
module io.resilientconnector.it.modulepath {
    requires io.resilientconnector.core;
}
