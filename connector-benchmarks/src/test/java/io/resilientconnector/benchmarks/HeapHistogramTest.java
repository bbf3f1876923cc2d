package io.resilientconnector.benchmarks;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class HeapHistogramTest {

    private static final String AT_100 = String.join("\n",
            " num     #instances         #bytes  class name (module)",
            "-------------------------------------------------------",
            "   1:           100           6400  io.netty.channel.DefaultChannelHandlerContext",
            "   2:            10            320  io.resilientconnector.ResilientConnector$$Lambda$125/0x00007f042c117bf8",
            "   3:             5            120  java.lang.String (java.base@17.0.15)",
            "Total           115           6840");

    private static final String AT_300 = String.join("\n",
            " num     #instances         #bytes  class name (module)",
            "-------------------------------------------------------",
            "   1:           300          19200  io.netty.channel.DefaultChannelHandlerContext",
            "   2:           210           6720  io.resilientconnector.ResilientConnector$$Lambda$126/0x00007f2db4114e68",
            "   3:             5            120  java.lang.String (java.base@17.0.15)",
            "Total           515          26040");

    @Test
    void givesBytesAndInstancesPerConnectionByClass() {
        Map<String, double[]> per = HeapHistogram.perConnection(HeapHistogram.parse(AT_100), 100,
                HeapHistogram.parse(AT_300), 300);

        assertThat(per.get("io.netty.channel.DefaultChannelHandlerContext")).containsExactly(1.0, 64.0);
        assertThat(per.get("java.lang.String")).containsExactly(0.0, 0.0);
    }

    @Test
    void countsALambdaAsOneClassAcrossProcesses() {
        Map<String, double[]> per = HeapHistogram.perConnection(HeapHistogram.parse(AT_100), 100,
                HeapHistogram.parse(AT_300), 300);

        assertThat(per.get("io.resilientconnector.ResilientConnector$$Lambda")).containsExactly(1.0, 32.0);
        assertThat(per).hasSize(3);
    }
}
