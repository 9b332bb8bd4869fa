package dev.ferry.sandbox.linode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class XFilterTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FIELDS = Set.of("id", "label", "tags", "region", "entity.id", "entity.type");

    private static List<JsonNode> items() throws Exception {
        return List.of(
                JSON.readTree("{\"id\": 1, \"label\": \"web-01\", \"tags\": [\"web\", \"prod\"], \"region\": \"us-lax\"}"),
                JSON.readTree("{\"id\": 2, \"label\": \"web-02\", \"tags\": [\"web\"], \"region\": \"us-east\"}"),
                JSON.readTree("{\"id\": 3, \"label\": \"db-01\", \"tags\": [\"prod\"], \"region\": \"us-lax\","
                        + " \"entity\": {\"id\": 7, \"type\": \"image\"}}"));
    }

    private static List<Integer> ids(String filter) throws Exception {
        return XFilter.parse(filter, FIELDS).apply(items()).stream().map(n -> n.get("id").asInt()).toList();
    }

    @Test
    void matchesFieldsListsOperatorsAndCombinators() throws Exception {
        assertThat(ids("{\"label\": \"web-01\"}")).containsExactly(1);
        assertThat(ids("{\"tags\": \"prod\"}")).containsExactly(1, 3);
        assertThat(ids("{\"id\": {\"+gt\": 1}}")).containsExactly(2, 3);
        assertThat(ids("{\"label\": {\"+contains\": \"WEB\"}}")).containsExactly(1, 2);
        assertThat(ids("{\"region\": {\"+neq\": \"us-lax\"}}")).containsExactly(2);
        assertThat(ids("{\"+and\": [{\"tags\": \"prod\"}, {\"region\": \"us-lax\"}]}")).containsExactly(1, 3);
        assertThat(ids("{\"+or\": [{\"id\": 2}, {\"label\": \"db-01\"}]}")).containsExactly(2, 3);
        assertThat(ids("{\"entity.id\": 7}")).containsExactly(3);
        assertThat(ids("{\"entity\": {\"type\": \"image\"}}")).containsExactly(3);
        assertThat(ids("{\"+order_by\": \"label\", \"+order\": \"desc\"}")).containsExactly(2, 1, 3);
        assertThat(ids("")).containsExactly(1, 2, 3);
    }

    @Test
    void refusesFieldsThatCannotBeFilteredAndBrokenJson() {
        assertThatThrownBy(() -> ids("{\"ipv4\": \"1.2.3.4\"}")).hasMessageContaining("Cannot filter on ipv4");
        assertThatThrownBy(() -> ids("{\"label\": {\"+like\": \"x\"}}")).hasMessageContaining("+like");
        assertThatThrownBy(() -> ids("[1]")).hasMessageContaining("object");
        assertThatThrownBy(() -> ids("{nope")).hasMessageContaining("JSON");
    }
}
