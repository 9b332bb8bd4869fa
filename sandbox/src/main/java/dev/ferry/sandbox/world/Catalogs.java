package dev.ferry.sandbox.world;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fixed catalogues: EC2 instance types with on-demand prices, Linode plans and regions.
 * Figures follow the providers' public price lists closely enough for plans to choose sensibly.
 */
public final class Catalogs {

    private Catalogs() {
    }

    /** Regions the Pricing API answers for, with their location names. */
    public static final Map<String, String> PRICING_LOCATIONS = Map.of(
            "us-east-1", "US East (N. Virginia)",
            "us-west-1", "US West (N. California)",
            "us-west-2", "US West (Oregon)");

    /** DescribeInstanceTypes' catalogue. */
    public static List<InstanceTypeSpec> instanceTypes() {
        List<InstanceTypeSpec> types = new ArrayList<>();
        // name, vcpus, memory MiB, us-east-1, us-west-1
        String t3Cpu = "Intel Xeon Platinum 8000 series";
        burstable(types, "t3", t3Cpu, 3.1, "Up to 5 Gigabit", new Object[][]{
                {"nano", 2, 512, 0.0052, 0.0062}, {"micro", 2, 1024, 0.0104, 0.0124},
                {"small", 2, 2048, 0.0208, 0.0248}, {"medium", 2, 4096, 0.0416, 0.0496},
                {"large", 2, 8192, 0.0832, 0.0992}, {"xlarge", 4, 16384, 0.1664, 0.1984},
                {"2xlarge", 8, 32768, 0.3328, 0.3968}});
        burstable(types, "t3a", "AMD EPYC 7571", 2.5, "Up to 5 Gigabit", new Object[][]{
                {"nano", 2, 512, 0.0047, 0.0056}, {"micro", 2, 1024, 0.0094, 0.0112},
                {"small", 2, 2048, 0.0188, 0.0224}, {"medium", 2, 4096, 0.0376, 0.0448},
                {"large", 2, 8192, 0.0752, 0.0896}, {"xlarge", 4, 16384, 0.1504, 0.1792},
                {"2xlarge", 8, 32768, 0.3008, 0.3584}});
        fixed(types, "m5", "Intel Xeon Platinum 8175", 3.1, "Up to 10 Gigabit", 2, new Object[][]{
                {"large", 2, 8192, 0.096, 0.112}, {"xlarge", 4, 16384, 0.192, 0.224},
                {"2xlarge", 8, 32768, 0.384, 0.448}, {"4xlarge", 16, 65536, 0.768, 0.896}});
        fixed(types, "m6i", "Intel Xeon 8375C (Ice Lake)", 3.5, "Up to 12.5 Gigabit", 2, new Object[][]{
                {"large", 2, 8192, 0.096, 0.112}, {"xlarge", 4, 16384, 0.192, 0.224},
                {"2xlarge", 8, 32768, 0.384, 0.448}, {"4xlarge", 16, 65536, 0.768, 0.896}});
        fixed(types, "c5", "Intel Xeon Platinum 8124M", 3.4, "Up to 10 Gigabit", 2, new Object[][]{
                {"large", 2, 4096, 0.085, 0.106}, {"xlarge", 4, 8192, 0.17, 0.212},
                {"2xlarge", 8, 16384, 0.34, 0.424}, {"4xlarge", 16, 32768, 0.68, 0.848}});
        fixed(types, "r5", "Intel Xeon Platinum 8175", 3.1, "Up to 10 Gigabit", 2, new Object[][]{
                {"large", 2, 16384, 0.126, 0.148}, {"xlarge", 4, 32768, 0.252, 0.296},
                {"2xlarge", 8, 65536, 0.504, 0.592}});
        fixed(types, "m4", "Intel Xeon E5-2676 v3 (Haswell)", 2.4, "Moderate", 2, new Object[][]{
                {"large", 2, 8192, 0.10, 0.117}});
        types.add(type("t2.micro", 1, 1, 1, 1024, "x86_64", true, true, "Low to Moderate", "Intel Xeon Family", 3.3,
                0.0116, 0.0138));
        types.add(type("t2.medium", 2, 2, 1, 4096, "x86_64", true, true, "Low to Moderate", "Intel Xeon Family", 3.3,
                0.0464, 0.0552));
        types.add(type("t4g.medium", 2, 2, 1, 4096, "arm64", true, true, "Up to 5 Gigabit",
                "AWS Graviton2 Processor", 2.5, 0.0336, 0.0400));
        types.add(type("m6g.large", 2, 2, 1, 8192, "arm64", true, false, "Up to 10 Gigabit",
                "AWS Graviton2 Processor", 2.5, 0.077, 0.0896));
        // Previous generation, still listed by the API.
        types.add(type("m3.medium", 1, 1, 1, 3840, "x86_64", false, false, "Moderate",
                "Intel Xeon E5-2670 v2 (Ivy Bridge/Sandy Bridge)", 2.5, 0.067, 0.077));
        types.add(type("c3.large", 2, 1, 2, 3840, "x86_64", false, false, "Moderate",
                "Intel Xeon E5-2680 v2 (Ivy Bridge)", 2.8, 0.105, 0.120));
        return List.copyOf(types);
    }

    private static void burstable(List<InstanceTypeSpec> types, String family, String cpu, double ghz, String network,
                                  Object[][] sizes) {
        for (Object[] size : sizes) {
            int vcpus = (Integer) size[1];
            types.add(type(family + "." + size[0], vcpus, Math.max(1, vcpus / 2), vcpus == 1 ? 1 : 2,
                    (Integer) size[2], "x86_64", true, true, network, cpu, ghz, (Double) size[3], (Double) size[4]));
        }
    }

    private static void fixed(List<InstanceTypeSpec> types, String family, String cpu, double ghz, String network,
                              int threads, Object[][] sizes) {
        for (Object[] size : sizes) {
            int vcpus = (Integer) size[1];
            types.add(type(family + "." + size[0], vcpus, vcpus / threads, threads, (Integer) size[2], "x86_64", true,
                    false, network, cpu, ghz, (Double) size[3], (Double) size[4]));
        }
    }

    private static InstanceTypeSpec type(String name, int vcpus, int cores, int threads, long memoryMiB,
                                         String architecture, boolean current, boolean burstable, String network,
                                         String cpu, double ghz, double usEast1, double usWest1) {
        Map<String, Double> prices = new LinkedHashMap<>();
        prices.put("us-east-1", usEast1);
        prices.put("us-west-2", usEast1);
        prices.put("us-west-1", usWest1);
        List<String> architectures = architecture.equals("x86_64") && !current
                ? List.of("i386", "x86_64") : List.of(architecture);
        return new InstanceTypeSpec(name, vcpus, cores, threads, memoryMiB, architectures, current, burstable, network,
                cpu, ghz, prices);
    }

    /** {@code GET /linode/types}: shared (nanode, standard), dedicated and high-memory plans. */
    public static List<LinodeType> linodeTypes() {
        List<LinodeType> types = new ArrayList<>();
        types.add(new LinodeType("g6-nanode-1", "Nanode 1GB", "nanode", 1, 1024, 25600, 1000, 1000, 0.0075, 5.0,
                0.003, 2.0));
        Object[][] standard = {
                {"g6-standard-1", "Linode 2GB", 1, 2048, 51200, 2000, 2000, 0.018, 12.0, 0.004, 2.5},
                {"g6-standard-2", "Linode 4GB", 2, 4096, 81920, 4000, 4000, 0.036, 24.0, 0.008, 5.0},
                {"g6-standard-4", "Linode 8GB", 4, 8192, 163840, 5000, 5000, 0.072, 48.0, 0.015, 10.0},
                {"g6-standard-6", "Linode 16GB", 6, 16384, 327680, 8000, 6000, 0.144, 96.0, 0.03, 20.0},
                {"g6-standard-8", "Linode 32GB", 8, 32768, 655360, 16000, 7000, 0.288, 192.0, 0.06, 40.0},
                {"g6-standard-16", "Linode 64GB", 16, 65536, 1310720, 20000, 9000, 0.576, 384.0, 0.12, 80.0},
                {"g6-standard-20", "Linode 96GB", 20, 98304, 1966080, 20000, 10000, 0.864, 576.0, 0.18, 120.0},
                {"g6-standard-24", "Linode 128GB", 24, 131072, 2621440, 20000, 11000, 1.152, 768.0, 0.24, 160.0},
                {"g6-standard-32", "Linode 192GB", 32, 196608, 3932160, 20000, 12000, 1.728, 1152.0, 0.36, 240.0}};
        Object[][] dedicated = {
                {"g6-dedicated-2", "Dedicated 4GB", 2, 4096, 81920, 4000, 4000, 0.054, 36.0, 0.008, 5.0},
                {"g6-dedicated-4", "Dedicated 8GB", 4, 8192, 163840, 5000, 5000, 0.108, 72.0, 0.015, 10.0},
                {"g6-dedicated-8", "Dedicated 16GB", 8, 16384, 327680, 6000, 6000, 0.216, 144.0, 0.03, 20.0},
                {"g6-dedicated-16", "Dedicated 32GB", 16, 32768, 655360, 7000, 7000, 0.432, 288.0, 0.06, 40.0},
                {"g6-dedicated-32", "Dedicated 64GB", 32, 65536, 1310720, 8000, 8000, 0.864, 576.0, 0.12, 80.0},
                {"g6-dedicated-48", "Dedicated 96GB", 48, 98304, 1966080, 9000, 9000, 1.296, 864.0, 0.18, 120.0},
                {"g6-dedicated-50", "Dedicated 128GB", 50, 131072, 2560000, 10000, 10000, 1.728, 1152.0, 0.24, 160.0},
                {"g6-dedicated-56", "Dedicated 256GB", 56, 262144, 5120000, 11000, 11000, 3.456, 2304.0, 0.48, 320.0},
                {"g6-dedicated-64", "Dedicated 512GB", 64, 524288, 7372800, 12000, 12000, 6.912, 4608.0, 0.96,
                        640.0}};
        Object[][] highmem = {
                {"g7-highmem-1", "Linode 24GB", 2, 24576, 20480, 5000, 5000, 0.09, 60.0, 0.0075, 5.0},
                {"g7-highmem-2", "Linode 48GB", 2, 49152, 40960, 6000, 6000, 0.18, 120.0, 0.015, 10.0},
                {"g7-highmem-4", "Linode 90GB", 4, 92160, 92160, 7000, 7000, 0.36, 240.0, 0.03, 20.0},
                {"g7-highmem-8", "Linode 150GB", 8, 153600, 163840, 8000, 8000, 0.72, 480.0, 0.06, 40.0},
                {"g7-highmem-16", "Linode 300GB", 16, 307200, 348160, 9000, 9000, 1.44, 960.0, 0.12, 80.0}};
        add(types, "standard", standard);
        add(types, "dedicated", dedicated);
        add(types, "highmem", highmem);
        return List.copyOf(types);
    }

    private static void add(List<LinodeType> types, String typeClass, Object[][] rows) {
        for (Object[] r : rows) {
            types.add(new LinodeType((String) r[0], (String) r[1], typeClass, (Integer) r[2], (Integer) r[3],
                    (Integer) r[4], (Integer) r[5], (Integer) r[6], (Double) r[7], (Double) r[8], (Double) r[9],
                    (Double) r[10]));
        }
    }

    /** {@code GET /regions}. */
    public static List<LinodeRegion> linodeRegions() {
        List<String> core = List.of("Linodes", "Block Storage", "Object Storage", "Cloud Firewall", "VPCs",
                "Managed Databases", "Metadata", "Placement Group", "Block Storage Migrations", "NodeBalancers",
                "Kubernetes", "Backups");
        Object[][] rows = {
                {"us-east", "Newark, NJ", "us", "173.255.225.5", "2600:3c03::5"},
                {"us-central", "Dallas, TX", "us", "72.14.179.5", "2600:3c00::5"},
                {"us-west", "Fremont, CA", "us", "173.230.145.5", "2600:3c01::5"},
                {"us-southeast", "Atlanta, GA", "us", "74.207.231.5", "2600:3c02::5"},
                {"us-iad", "Washington, DC", "us", "139.144.192.62", "2600:3c05::f03c:93ff:feb6:43b6"},
                {"us-ord", "Chicago, IL", "us", "172.232.0.17", "2600:3c06::f03c:93ff:fed0:e5fc"},
                {"us-lax", "Los Angeles, CA", "us", "172.233.128.34", "2600:3c0a::f03c:93ff:fe54:c6da"},
                {"us-sea", "Seattle, WA", "us", "172.232.160.19", "2600:3c0a::f03c:93ff:fe54:c6da"},
                {"us-mia", "Miami, FL", "us", "172.233.160.34", "2a01:7e04::f03c:93ff:fead:d31f"},
                {"ca-central", "Toronto, CA", "ca", "172.105.0.5", "2600:3c04::5"},
                {"eu-west", "London, UK", "gb", "178.79.182.5", "2a01:7e00::5"},
                {"eu-central", "Frankfurt, DE", "de", "139.162.130.5", "2a01:7e01::5"},
                {"fr-par", "Paris, FR", "fr", "172.233.15.226", "2600:3c0d::f03c:93ff:fe3d:51cb"},
                {"nl-ams", "Amsterdam, NL", "nl", "172.233.33.36", "2600:3c0e::f03c:93ff:fe9d:2d10"},
                {"se-sto", "Stockholm, SE", "se", "172.232.128.24", "2600:3c09::f03c:93ff:fea9:4dbe"},
                {"it-mil", "Milan, IT", "it", "172.232.192.19", "2600:3c13::f03c:93ff:fe6c:4b2c"},
                {"ap-south", "Singapore, SG", "sg", "139.162.11.5", "2400:8901::5"},
                {"ap-northeast", "Tokyo, JP", "jp", "139.162.66.5", "2400:8902::5"},
                {"ap-west", "Mumbai, IN", "in", "172.105.34.5", "2400:8904::5"},
                {"ap-southeast", "Sydney, AU", "au", "172.105.166.5", "2400:8907::5"},
                {"jp-osa", "Osaka, JP", "jp", "172.233.64.44", "2400:8905::f03c:93ff:fe9d:b0a8"},
                {"br-gru", "Sao Paulo, BR", "br", "172.233.0.4", "2600:3c0d::f03c:93ff:fe3d:51cb"}};
        List<LinodeRegion> regions = new ArrayList<>();
        for (Object[] r : rows) {
            regions.add(new LinodeRegion((String) r[0], (String) r[1], (String) r[2], core, (String) r[3],
                    (String) r[4]));
        }
        return List.copyOf(regions);
    }
}
