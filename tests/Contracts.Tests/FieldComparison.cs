using System.Collections;

namespace CinematicSwitch.Contracts.Tests;

/// <summary>Compares two events field by field, down through nested records, lists and maps, naming the path of
/// the first difference. Returns how many scalar values were compared, so a test can see it compared something.</summary>
internal static class FieldComparison
{
    public static int AssertSameFields(object? expected, object? actual, string path)
    {
        if (expected is null || actual is null)
        {
            Assert.True(expected is null && actual is null, $"{path}: expected {expected ?? "null"}, got {actual ?? "null"}");
            return 1;
        }

        var type = expected.GetType();
        if (type.Namespace == typeof(Events.ICinematicEvent).Namespace && type.IsClass && !type.IsArray)
        {
            Assert.True(type == actual.GetType(), $"{path}: expected a {type.Name}, got a {actual.GetType().Name}");
            return type.GetProperties().Sum(p => AssertSameFields(p.GetValue(expected), p.GetValue(actual), $"{path}.{p.Name}"));
        }

        if (expected is IDictionary expectedMap)
        {
            var actualMap = (IDictionary)actual;
            Assert.True(expectedMap.Count == actualMap.Count, $"{path}: expected {expectedMap.Count} entries, got {actualMap.Count}");
            return 1 + expectedMap.Keys.Cast<object>().Sum(k => AssertSameFields(expectedMap[k], actualMap[k], $"{path}[{k}]"));
        }

        if (expected is IEnumerable items and not string)
        {
            var left = items.Cast<object?>().ToList();
            var right = ((IEnumerable)actual).Cast<object?>().ToList();
            Assert.True(left.Count == right.Count, $"{path}: expected {left.Count} items, got {right.Count}");
            return 1 + left.Select((item, i) => AssertSameFields(item, right[i], $"{path}[{i}]")).Sum();
        }

        Assert.True(Equals(expected, actual), $"{path}: expected {expected}, got {actual}");
        return 1;
    }
}
