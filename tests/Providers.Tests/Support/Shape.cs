using System.Text.Json;
using System.Text.Json.Nodes;

namespace CinematicSwitch.Providers.Tests.Support;

/// <summary>
/// Checks that a simulator's JSON has the documented shape: every documented property is present with the same kind of
/// value (objects and arrays compared recursively). Model-specific members (a prediction's input and output) are named
/// as free and only checked for presence.
/// </summary>
public static class Shape
{
    public static JsonNode Fixture(string path) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", path)))!;

    public static void AssertConforms(JsonNode? documented, JsonNode? actual, string path = "$", params string[] free)
    {
        switch (documented)
        {
            case null:
                return;
            case JsonObject expected:
                var obj = Assert.IsType<JsonObject>(actual);
                foreach (var (name, value) in expected)
                {
                    Assert.True(obj.ContainsKey(name), $"{path}.{name} is documented but missing");
                    if (!free.Contains(name))
                    {
                        AssertConforms(value, obj[name], $"{path}.{name}", free);
                    }
                }

                return;
            case JsonArray expectedItems:
                var items = Assert.IsType<JsonArray>(actual);
                if (expectedItems.Count > 0 && items.Count > 0)
                {
                    AssertConforms(expectedItems[0], items[0], $"{path}[0]", free);
                }

                return;
            default:
                Assert.True(actual is not null, $"{path} is documented as {documented.GetValueKind()} but is null");
                Assert.True(Kind(documented) == Kind(actual), $"{path} is documented as {Kind(documented)} but is {Kind(actual)}");
                return;
        }
    }

    private static JsonValueKind Kind(JsonNode? node) => node?.GetValueKind() switch
    {
        JsonValueKind.True or JsonValueKind.False => JsonValueKind.True,
        var kind => kind ?? JsonValueKind.Null,
    };
}
