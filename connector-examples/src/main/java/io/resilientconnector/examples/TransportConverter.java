package io.resilientconnector.examples;

import io.resilientconnector.transport.TransportType;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.util.Locale;

/** Reads {@code --transport} in lower case, as the help text and the log lines spell it. */
final class TransportConverter implements ITypeConverter<TransportType> {

    /** The expected form, for error messages and the help text. */
    static final String FORM = "auto|epoll|io_uring|kqueue|nio";

    @Override
    public TransportType convert(String value) {
        String name = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (TransportType type : TransportType.values()) {
            if (type.name().equals(name)) {
                return type;
            }
        }
        throw new TypeConversionException("'" + value + "' (expected: " + FORM + ")");
    }
}
