package dev.ferry.sandbox.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.sandbox.AwsClients;
import dev.ferry.sandbox.MigrationSetup;
import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.TestSandboxes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.EntityAlreadyExistsException;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;
import software.amazon.awssdk.services.iam.model.Role;
import software.amazon.awssdk.services.pricing.PricingClient;
import software.amazon.awssdk.services.pricing.model.FilterType;
import software.amazon.awssdk.services.pricing.model.GetProductsResponse;
import software.amazon.awssdk.services.sts.StsClient;

import java.math.BigDecimal;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IamStsPricingTest {

    private static Sandbox sandbox;
    private static AwsClients clients;
    private static IamClient iam;

    @BeforeAll
    static void start() {
        sandbox = TestSandboxes.start(0.01);
        clients = new AwsClients(sandbox);
        iam = clients.iam();
    }

    @AfterAll
    static void stop() {
        iam.close();
        clients.close();
        sandbox.close();
    }

    private static String errorCode(Throwable e) {
        return ((AwsServiceException) e).awsErrorDetails().errorCode();
    }

    @Test
    void createsTheVmImportRoleAndReturnsPolicyDocumentsUrlEncodedAsIamDoes() {
        Role created = iam.createRole(r -> r.roleName("vmimport").assumeRolePolicyDocument(
                MigrationSetup.TRUST_POLICY).description("VM Import/Export")).role();
        assertThat(created.arn()).isEqualTo("arn:aws:iam::123456789012:role/vmimport");
        assertThat(created.roleId()).startsWith("AROA").hasSize(21);
        assertThat(created.createDate()).isNotNull();

        Role fetched = iam.getRole(r -> r.roleName("vmimport")).role();
        assertThat(fetched.assumeRolePolicyDocument()).startsWith("%7B");
        assertThat(URLDecoder.decode(fetched.assumeRolePolicyDocument(), StandardCharsets.UTF_8))
                .isEqualTo(MigrationSetup.TRUST_POLICY);

        String policy = MigrationSetup.rolePolicy(MigrationSetup.BUCKET);
        iam.putRolePolicy(r -> r.roleName("vmimport").policyName("vmimport").policyDocument(policy));
        String stored = iam.getRolePolicy(r -> r.roleName("vmimport").policyName("vmimport")).policyDocument();
        assertThat(URLDecoder.decode(stored, StandardCharsets.UTF_8)).isEqualTo(policy);
        assertThat(iam.listRolePolicies(r -> r.roleName("vmimport")).policyNames()).containsExactly("vmimport");

        assertThatThrownBy(() -> iam.createRole(r -> r.roleName("vmimport")
                .assumeRolePolicyDocument(MigrationSetup.TRUST_POLICY)))
                .isInstanceOf(EntityAlreadyExistsException.class);
        assertThatThrownBy(() -> iam.deleteRole(r -> r.roleName("vmimport")))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("DeleteConflict"));
        iam.deleteRolePolicy(r -> r.roleName("vmimport").policyName("vmimport"));
        iam.deleteRole(r -> r.roleName("vmimport"));
        assertThatThrownBy(() -> iam.getRole(r -> r.roleName("vmimport"))).isInstanceOf(NoSuchEntityException.class);
    }

    @Test
    void refusesMalformedPolicyDocuments() {
        assertThatThrownBy(() -> iam.createRole(r -> r.roleName("broken").assumeRolePolicyDocument("{not json")))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("MalformedPolicyDocument"));
        iam.createRole(r -> r.roleName("checked").assumeRolePolicyDocument(MigrationSetup.TRUST_POLICY));
        String noResource = """
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject"}]}""";
        assertThatThrownBy(() -> iam.putRolePolicy(r -> r.roleName("checked").policyName("p")
                .policyDocument(noResource)))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("MalformedPolicyDocument"));
        String bucketNameAsResource = """
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject",\
                "Resource":"my-bucket/*"}]}""";
        assertThatThrownBy(() -> iam.putRolePolicy(r -> r.roleName("checked").policyName("p")
                .policyDocument(bucketNameAsResource)))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("MalformedPolicyDocument"))
                .hasMessageContaining("ARN");
        assertThatThrownBy(() -> iam.getRolePolicy(r -> r.roleName("checked").policyName("none")))
                .isInstanceOf(NoSuchEntityException.class);
    }

    @Test
    void listsRolePoliciesInPages() {
        iam.createRole(r -> r.roleName("paged").assumeRolePolicyDocument(MigrationSetup.TRUST_POLICY));
        for (int i = 0; i < 5; i++) {
            int n = i;
            iam.putRolePolicy(r -> r.roleName("paged").policyName("p" + n)
                    .policyDocument(MigrationSetup.rolePolicy("b" + n)));
        }
        var first = iam.listRolePolicies(r -> r.roleName("paged").maxItems(2));
        assertThat(first.policyNames()).containsExactly("p0", "p1");
        assertThat(first.isTruncated()).isTrue();
        List<String> all = new ArrayList<>();
        iam.listRolePoliciesPaginator(r -> r.roleName("paged").maxItems(2)).policyNames().forEach(all::add);
        assertThat(all).containsExactly("p0", "p1", "p2", "p3", "p4");
    }

    @Test
    void tellsWhoTheCredentialsBelongTo() {
        try (StsClient sts = clients.sts()) {
            var identity = sts.getCallerIdentity();
            assertThat(identity.account()).isEqualTo("123456789012");
            assertThat(identity.arn()).startsWith("arn:aws:iam::123456789012:");
        }
        try (AwsClients stranger = new AwsClients(sandbox, "AKIAOTHERACCOUNT0001", "secret");
             StsClient other = stranger.sts()) {
            assertThatThrownBy(other::getCallerIdentity)
                    .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidClientTokenId"));
        }
    }

    @SuppressWarnings("unchecked")
    @Test
    void pricesAnInstanceTypeOnDemandInTheRealPriceListFormat() throws Exception {
        try (PricingClient pricing = clients.pricing()) {
            GetProductsResponse response = pricing.getProducts(r -> r.serviceCode("AmazonEC2").filters(
                    f -> f.type(FilterType.TERM_MATCH).field("instanceType").value("t3.medium"),
                    f -> f.type(FilterType.TERM_MATCH).field("regionCode").value("us-west-1"),
                    f -> f.type(FilterType.TERM_MATCH).field("operatingSystem").value("Linux"),
                    f -> f.type(FilterType.TERM_MATCH).field("tenancy").value("Shared"),
                    f -> f.type(FilterType.TERM_MATCH).field("preInstalledSw").value("NA"),
                    f -> f.type(FilterType.TERM_MATCH).field("capacitystatus").value("Used")));
            assertThat(response.formatVersion()).isEqualTo("aws_v1");
            assertThat(response.priceList()).hasSize(1);
            JsonNode product = new ObjectMapper().readTree(response.priceList().get(0));
            assertThat(product.at("/product/attributes/instanceType").asText()).isEqualTo("t3.medium");
            assertThat(product.at("/product/attributes/location").asText()).isEqualTo("US West (N. California)");
            JsonNode term = product.at("/terms/OnDemand").elements().next();
            JsonNode dimension = term.get("priceDimensions").elements().next();
            assertThat(dimension.get("unit").asText()).isEqualTo("Hrs");
            BigDecimal hourly = new BigDecimal(dimension.at("/pricePerUnit/USD").asText());
            assertThat(hourly).isEqualByComparingTo("0.0496");

            GetProductsResponse page = pricing.getProducts(r -> r.serviceCode("AmazonEC2").maxResults(10).filters(
                    f -> f.type(FilterType.TERM_MATCH).field("regionCode").value("us-west-1")));
            assertThat(page.priceList()).hasSize(10);
            assertThat(page.nextToken()).isNotNull();
            assertThat(pricing.getProducts(r -> r.serviceCode("AmazonEC2").maxResults(10)
                    .nextToken(page.nextToken()).filters(f -> f.type(FilterType.TERM_MATCH).field("regionCode")
                            .value("us-west-1"))).priceList()).hasSize(10).doesNotContainAnyElementsOf(
                    page.priceList());
        }
    }
}
