package dev.ferry.provider.aws.price;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.engine.FerryException;
import dev.ferry.engine.machine.MachineFacts;
import dev.ferry.provider.aws.client.AwsCalls;
import dev.ferry.provider.aws.client.AwsClients;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.services.pricing.model.Filter;
import software.amazon.awssdk.services.pricing.model.FilterType;
import software.amazon.awssdk.services.pricing.model.GetProductsResponse;

/**
 * On-demand EC2 prices from the Price List API (GetProducts, one call per instance type and operating
 * system, shared by the EC2 source and the EC2 target of a session), as a monthly figure: the hourly price
 * times 730 hours. A price that cannot be had is not an error; the plan simply shows none and says why.
 */
public final class PriceCatalog {

    static final int HOURS_PER_MONTH = 730;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A price, or why there is none. */
    public record Quote(Optional<MachineFacts.Price> price, Optional<String> problem) {
    }

    private final AwsClients clients;
    private final AwsCalls calls;
    private final Map<String, Quote> quotes = new ConcurrentHashMap<>();

    public PriceCatalog(AwsClients clients, AwsCalls calls) {
        this.clients = clients;
        this.calls = calls;
    }

    /** The monthly on-demand price of {@code instanceType} running {@code platformDetails} in the session's region. */
    public Quote monthly(String instanceType, String platformDetails) {
        String operatingSystem = operatingSystem(platformDetails);
        return quotes.computeIfAbsent(instanceType + "/" + operatingSystem, key -> quote(instanceType, operatingSystem));
    }

    private Quote quote(String instanceType, String operatingSystem) {
        String region = clients.regionName();
        try {
            // once: the client retries at most once itself, and a price is not worth more (see AwsClients#pricing)
            GetProductsResponse response = calls.once("Pricing GetProducts for " + instanceType, () -> clients.pricing().getProducts(r -> r
                    .serviceCode("AmazonEC2")
                    .formatVersion("aws_v1")
                    .maxResults(10)
                    .filters(term("instanceType", instanceType), term("regionCode", region), term("operatingSystem", operatingSystem),
                            term("tenancy", "Shared"), term("preInstalledSw", "NA"), term("capacitystatus", "Used"))));
            for (String product : response.priceList()) {
                Optional<BigDecimal> hourly = hourlyUsd(product);
                if (hourly.isPresent()) {
                    double monthly = hourly.get().multiply(BigDecimal.valueOf(HOURS_PER_MONTH)).doubleValue();
                    String basis = "on-demand " + operatingSystem + " " + instanceType + " in " + region + ": $"
                            + hourly.get().stripTrailingZeros().toPlainString() + "/hour × " + HOURS_PER_MONTH + " hours";
                    return new Quote(Optional.of(new MachineFacts.Price(Math.round(monthly * 100) / 100.0, basis)), Optional.empty());
                }
            }
            return new Quote(Optional.empty(), Optional.of("the Price List API has no on-demand " + operatingSystem + " price for "
                    + instanceType + " in " + region));
        } catch (FerryException e) {
            return new Quote(Optional.empty(), Optional.of(e.getMessage()));
        }
    }

    private static Filter term(String field, String value) {
        return Filter.builder().type(FilterType.TERM_MATCH).field(field).value(value).build();
    }

    /** The first non-zero hourly USD price among a product's on-demand terms. */
    static Optional<BigDecimal> hourlyUsd(String productJson) {
        try {
            JsonNode product = JSON.readTree(productJson);
            Iterator<JsonNode> offers = product.path("terms").path("OnDemand").elements();
            while (offers.hasNext()) {
                Iterator<JsonNode> dimensions = offers.next().path("priceDimensions").elements();
                while (dimensions.hasNext()) {
                    JsonNode dimension = dimensions.next();
                    String unit = dimension.path("unit").asText("");
                    String usd = dimension.path("pricePerUnit").path("USD").asText("");
                    if (!usd.isEmpty() && unit.toLowerCase(Locale.ROOT).startsWith("hr")) {
                        BigDecimal price = new BigDecimal(usd);
                        if (price.signum() > 0) {
                            return Optional.of(price);
                        }
                    }
                }
            }
            return Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The Price List's operatingSystem for EC2's platform details. */
    static String operatingSystem(String platformDetails) {
        String details = platformDetails == null ? "" : platformDetails.toLowerCase(Locale.ROOT);
        if (details.startsWith("windows")) {
            return "Windows";
        }
        if (details.startsWith("red hat")) {
            return "RHEL";
        }
        if (details.startsWith("suse")) {
            return "SUSE";
        }
        return "Linux";
    }
}
