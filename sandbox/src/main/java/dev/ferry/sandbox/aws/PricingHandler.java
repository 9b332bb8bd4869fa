package dev.ferry.sandbox.aws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.sandbox.http.HttpCall;
import dev.ferry.sandbox.http.Json;
import dev.ferry.sandbox.http.ServiceHandler;
import dev.ferry.sandbox.http.SigV4Credential;
import dev.ferry.sandbox.http.SigV4Verifier;
import dev.ferry.sandbox.world.Catalogs;
import dev.ferry.sandbox.world.InstanceTypeSpec;
import dev.ferry.sandbox.world.World;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * The Price List Query API (JSON 1.1, {@code AWSPriceListService.GetProducts}) for EC2 on-demand
 * prices, each product a JSON string in the real {@code aws_v1} format.
 */
public final class PricingHandler implements ServiceHandler {

    private static final String TARGET_PREFIX = "AWSPriceListService.";
    private static final String ON_DEMAND = "JRTCKXETXF";
    private static final String HOURLY = "6YS6EN2CT7";
    private static final String BODY = "pricing.body";
    /** The Price List API's endpoints (api.pricing.REGION.amazonaws.com). */
    private static final Set<String> ENDPOINT_REGIONS = Set.of("us-east-1", "eu-central-1", "ap-south-1");

    private final World world;

    public PricingHandler(World world) {
        this.world = requireNonNull(world, "world is null");
    }

    @Override
    public String action(HttpCall call) throws IOException {
        call.attribute(BODY, call.bodyBytes(256 * 1024));
        String target = call.header("X-Amz-Target");
        return target != null && target.startsWith(TARGET_PREFIX) ? target.substring(TARGET_PREFIX.length())
                : "(no target)";
    }

    @Override
    public boolean authenticate(HttpCall call) throws IOException {
        Optional<SigV4Credential> credential = SigV4Credential.of(call);
        if (credential.isEmpty()) {
            error(call, 400, "MissingAuthenticationTokenException", "Missing Authentication Token");
            return false;
        }
        if (!credential.get().accessKeyId().equals(world.accessKeyId())) {
            error(call, 400, "UnrecognizedClientException", "The security token included in the request is invalid.");
            return false;
        }
        if (!ENDPOINT_REGIONS.contains(credential.get().region())) {
            error(call, 400, "InvalidSignatureException", "Credential should be scoped to a valid region.");
            return false;
        }
        byte[] body = call.attribute(BODY);
        SigV4Verifier.Outcome outcome = new SigV4Verifier(world.secretAccessKey())
                .verify(call, SigV4Verifier.sha256Hex(body), true);
        if (outcome instanceof SigV4Verifier.Malformed malformed) {
            error(call, 400, "IncompleteSignatureException", "Authorization header requires 'Credential', "
                    + "'Signature' and 'SignedHeaders' (" + malformed.why() + ")");
            return false;
        }
        if (outcome instanceof SigV4Verifier.Mismatch) {
            error(call, 400, "InvalidSignatureException", EbsHandler.SIGNATURE_MISMATCH);
            return false;
        }
        return true;
    }

    @Override
    public void handle(HttpCall call) throws IOException {
        String action = call.action();
        if (!action.equals("GetProducts")) {
            error(call, 400, "UnknownOperationException", null);
            return;
        }
        JsonNode request;
        try {
            byte[] body = call.attribute(BODY);
            request = body.length == 0 ? Json.object() : Json.parse(body);
        } catch (JsonProcessingException e) {
            error(call, 400, "SerializationException", "Start of structure or map found where not expected.");
            return;
        }
        try {
            call.respond(200, "application/x-amz-json-1.1", Json.bytes(getProducts(request)),
                    Map.of("x-amzn-RequestId", call.requestId()));
        } catch (AwsException e) {
            error(call, e.status(), e.code(), e.getMessage());
        }
    }

    private ObjectNode getProducts(JsonNode request) {
        String serviceCode = request.path("ServiceCode").asText(null);
        if (serviceCode == null || serviceCode.isEmpty()) {
            throw new AwsException(400, "InvalidParameterException", "Input ServiceCode is required");
        }
        int maxResults = request.path("MaxResults").asInt(100);
        if (maxResults < 1 || maxResults > 100) {
            throw new AwsException(400, "InvalidParameterException", "MaxResults must be between 1 and 100");
        }
        record Filter(String type, String field, String value) {
        }
        List<Filter> filters = new ArrayList<>();
        for (JsonNode f : request.path("Filters")) {
            String type = f.path("Type").asText("TERM_MATCH");
            if (!List.of("TERM_MATCH", "EQUALS", "CONTAINS", "ANY_OF", "NONE_OF").contains(type)) {
                throw new AwsException(400, "InvalidParameterException", "Invalid filter type " + type);
            }
            String field = f.path("Field").asText(null);
            String value = f.path("Value").asText(null);
            if (field == null || value == null) {
                throw new AwsException(400, "InvalidParameterException", "A filter needs Field and Value");
            }
            filters.add(new Filter(type, field, value));
        }
        List<Map<String, String>> products = new ArrayList<>();
        if (serviceCode.equals("AmazonEC2")) {
            for (InstanceTypeSpec type : world.ec2().instanceTypes()) {
                for (String region : Catalogs.PRICING_LOCATIONS.keySet().stream().sorted().toList()) {
                    for (Map<String, String> attributes : variants(type, region)) {
                        boolean matches = filters.stream().allMatch(f -> matches(attributes, f.type(), f.field(),
                                f.value()));
                        if (matches) {
                            products.add(attributes);
                        }
                    }
                }
            }
        }
        int offset = 0;
        String token = request.path("NextToken").asText(null);
        if (token != null && !token.isEmpty()) {
            try {
                offset = Integer.parseInt(new String(Base64.getDecoder().decode(token), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new AwsException(400, "InvalidNextTokenException", "The pagination token is invalid.");
            }
        }
        int end = Math.min(products.size(), offset + maxResults);
        ObjectNode response = Json.object();
        response.put("FormatVersion", "aws_v1");
        ArrayNode list = response.putArray("PriceList");
        for (Map<String, String> attributes : products.subList(Math.min(offset, products.size()), end)) {
            list.add(Json.text(product(attributes)));
        }
        if (end < products.size()) {
            response.put("NextToken", Base64.getEncoder().encodeToString(String.valueOf(end)
                    .getBytes(StandardCharsets.UTF_8)));
        }
        return response;
    }

    private static boolean matches(Map<String, String> attributes, String type, String field, String value) {
        String actual = field.equals("ServiceCode") ? "AmazonEC2" : attributes.get(field);
        if (actual == null) {
            return false;
        }
        return switch (type) {
            case "CONTAINS" -> actual.toLowerCase(Locale.ROOT).contains(value.toLowerCase(Locale.ROOT));
            case "ANY_OF" -> List.of(value.split(",")).stream().anyMatch(v -> v.trim().equalsIgnoreCase(actual));
            case "NONE_OF" -> List.of(value.split(",")).stream().noneMatch(v -> v.trim().equalsIgnoreCase(actual));
            default -> actual.equalsIgnoreCase(value);
        };
    }

    /** The product attribute sets of one instance type in one region: OS, tenancy, capacity status, software. */
    private static List<Map<String, String>> variants(InstanceTypeSpec type, String region) {
        List<Map<String, String>> result = new ArrayList<>();
        for (String os : List.of("Linux", "RHEL", "Windows")) {
            for (String software : os.equals("Windows") ? List.of("NA", "SQL Std") : List.of("NA")) {
                for (String tenancy : List.of("Shared", "Dedicated")) {
                    for (String capacity : List.of("Used", "UnusedCapacityReservation",
                            "AllocatedCapacityReservation")) {
                        Map<String, String> a = new LinkedHashMap<>();
                        a.put("servicecode", "AmazonEC2");
                        a.put("servicename", "Amazon Elastic Compute Cloud");
                        a.put("location", Catalogs.PRICING_LOCATIONS.get(region));
                        a.put("locationType", "AWS Region");
                        a.put("regionCode", region);
                        a.put("instanceType", type.name());
                        a.put("instanceFamily", family(type));
                        a.put("currentGeneration", type.currentGeneration() ? "Yes" : "No");
                        a.put("vcpu", String.valueOf(type.vcpus()));
                        a.put("memory", memory(type.memoryMiB()));
                        a.put("physicalProcessor", type.processor());
                        a.put("clockSpeed", type.clockGhz() + " GHz");
                        a.put("processorArchitecture", type.architectures().contains("arm64") ? "64-bit" : "64-bit");
                        a.put("storage", "EBS only");
                        a.put("networkPerformance", type.networkPerformance());
                        a.put("operatingSystem", os);
                        a.put("licenseModel", "No License required");
                        a.put("preInstalledSw", software);
                        a.put("tenancy", tenancy);
                        a.put("capacitystatus", capacity);
                        a.put("marketoption", "OnDemand");
                        a.put("operation", operation(os, software));
                        a.put("usagetype", usagePrefix(region) + (tenancy.equals("Dedicated") ? "DedicatedUsage:"
                                : "BoxUsage:") + type.name());
                        a.put("price", price(type, region, os, software, tenancy, capacity));
                        result.add(a);
                    }
                }
            }
        }
        return result;
    }

    private static String family(InstanceTypeSpec type) {
        return switch (type.family().substring(0, 1)) {
            case "c" -> "Compute optimized";
            case "r" -> "Memory optimized";
            default -> "General purpose";
        };
    }

    private static String memory(long mib) {
        BigDecimal gib = BigDecimal.valueOf(mib).divide(BigDecimal.valueOf(1024), 2, RoundingMode.HALF_UP)
                .stripTrailingZeros();
        return gib.toPlainString() + " GiB";
    }

    private static String operation(String os, String software) {
        return switch (os) {
            case "RHEL" -> "RunInstances:0010";
            case "Windows" -> software.equals("NA") ? "RunInstances:0002" : "RunInstances:0006";
            default -> "RunInstances";
        };
    }

    private static String usagePrefix(String region) {
        return switch (region) {
            case "us-west-1" -> "USW1-";
            case "us-west-2" -> "USW2-";
            default -> "";
        };
    }

    private static String price(InstanceTypeSpec type, String region, String os, String software, String tenancy,
                                String capacity) {
        if (capacity.equals("AllocatedCapacityReservation")) {
            return "0.0000000000";
        }
        double base = type.linuxHourlyUsd().getOrDefault(region, 0.0);
        double price = switch (os) {
            case "RHEL" -> base + (type.vcpus() <= 4 ? 0.06 : 0.13);
            case "Windows" -> base + type.vcpus() * (type.burstable() ? 0.0092 : 0.046)
                    + (software.equals("SQL Std") ? 0.12 * type.vcpus() : 0);
            default -> base;
        };
        if (tenancy.equals("Dedicated")) {
            price *= 1.1;
        }
        return BigDecimal.valueOf(price).setScale(10, RoundingMode.HALF_UP).toPlainString();
    }

    private static ObjectNode product(Map<String, String> attributes) {
        String sku = sku(attributes);
        ObjectNode product = Json.object();
        ObjectNode p = product.putObject("product");
        p.put("productFamily", "Compute Instance");
        ObjectNode attrs = p.putObject("attributes");
        attributes.forEach((k, v) -> {
            if (!k.equals("price")) {
                attrs.put(k, v);
            }
        });
        p.put("sku", sku);
        product.put("serviceCode", "AmazonEC2");
        ObjectNode onDemand = product.putObject("terms").putObject("OnDemand");
        ObjectNode term = onDemand.putObject(sku + "." + ON_DEMAND);
        ObjectNode dimensions = term.putObject("priceDimensions");
        ObjectNode dimension = dimensions.putObject(sku + "." + ON_DEMAND + "." + HOURLY);
        dimension.put("unit", "Hrs");
        dimension.put("endRange", "Inf");
        String price = attributes.get("price");
        dimension.put("description", "$" + new BigDecimal(price).stripTrailingZeros().toPlainString()
                + " per On Demand " + attributes.get("operatingSystem") + " " + attributes.get("instanceType")
                + " Instance Hour");
        dimension.putArray("appliesTo");
        dimension.put("rateCode", sku + "." + ON_DEMAND + "." + HOURLY);
        dimension.put("beginRange", "0");
        dimension.putObject("pricePerUnit").put("USD", price);
        term.put("sku", sku);
        term.put("effectiveDate", "2025-10-01T00:00:00Z");
        term.put("offerTermCode", ON_DEMAND);
        term.putObject("termAttributes");
        product.put("version", "20251015000000");
        product.put("publicationDate", "2025-10-15T00:00:00Z");
        return product;
    }

    private static String sku(Map<String, String> attributes) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] digest = sha.digest(attributes.toString().getBytes(StandardCharsets.UTF_8));
            String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
            StringBuilder sku = new StringBuilder();
            for (int i = 0; i < 16; i++) {
                sku.append(alphabet.charAt((digest[i] & 0xff) % alphabet.length()));
            }
            return sku.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void error(HttpCall call, int status, String type, String message) throws IOException {
        ObjectNode body = Json.object();
        body.put("__type", type);
        if (message != null) {
            body.put("message", message);
        }
        call.respond(status, "application/x-amz-json-1.1", Json.bytes(body), Map.of("x-amzn-RequestId",
                call.requestId(), "x-amzn-ErrorType", type));
    }

    @Override
    public void injectedError(HttpCall call, int status, Duration retryAfter) throws IOException {
        switch (status) {
            case 429 -> error(call, 400, "ThrottlingException", "Rate exceeded");
            case 503 -> error(call, 503, "ServiceUnavailableException", "Service is unavailable");
            default -> error(call, 500, "InternalErrorException", "An internal error occurred");
        }
    }

    @Override
    public void internalError(HttpCall call, Exception cause) throws IOException {
        error(call, 500, "InternalErrorException", "An internal error occurred (sandbox: " + cause + ")");
    }
}
