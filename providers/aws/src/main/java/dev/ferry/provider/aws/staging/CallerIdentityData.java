package dev.ferry.provider.aws.staging;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.FerryException;
import dev.ferry.engine.permission.Permission;
import dev.ferry.engine.provider.DataRequest;
import dev.ferry.engine.provider.DataResult;
import dev.ferry.engine.provider.DataSourceType;
import dev.ferry.engine.resource.Attributes;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.provider.aws.client.AwsCalls;
import dev.ferry.provider.aws.client.AwsClients;
import dev.ferry.provider.aws.client.IamPolicy;
import dev.ferry.provider.aws.client.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

/**
 * {@code data.aws_caller_identity}: who ferry acts as (STS GetCallerIdentity, asked once per run):
 * {@code account_id} scopes the bucket policy with {@code aws:SourceAccount}, {@code arn} names the
 * identity in messages.
 */
public final class CallerIdentityData implements DataSourceType {

    public static final String NAME = "aws_caller_identity";

    private final AwsClients clients;
    private final AwsCalls calls;
    private volatile GetCallerIdentityResponse identity;

    public CallerIdentityData(AwsClients clients, AwsCalls calls) {
        this.clients = requireNonNull(clients, "clients is null");
        this.calls = requireNonNull(calls, "calls is null");
    }

    @Override
    public String name() {
        return NAME;
    }

    public GetCallerIdentityResponse identity() {
        GetCallerIdentityResponse known = identity;
        if (known == null) {
            known = calls.call("STS GetCallerIdentity", () -> clients.sts().getCallerIdentity());
            identity = known;
        }
        return known;
    }

    @Override
    public Map<ResourceAddress, DataResult> read(List<DataRequest> requests) {
        Map<ResourceAddress, DataResult> results = new LinkedHashMap<>();
        DataResult result;
        try {
            GetCallerIdentityResponse response = identity();
            ObjectNode outputs = Json.object().put("account_id", response.account()).put("arn", response.arn())
                    .put("user_id", response.userId()).put("region", clients.regionName());
            result = new DataResult.Found(outputs, List.of());
        } catch (FerryException e) {
            result = new DataResult.Failed(e.getMessage());
        }
        for (DataRequest request : requests) {
            results.put(request.address(), result);
        }
        return results;
    }

    /** Who ferry runs as (the account scopes the bucket policy); IAM allows it to everyone, it is listed for completeness. */
    public static List<Permission> permissions(IamPolicy.Scope scope, String address, Attributes arguments) {
        return List.of(Permission.of("sts:GetCallerIdentity", List.of("*"), address + " reads the account ferry runs in"));
    }
}
