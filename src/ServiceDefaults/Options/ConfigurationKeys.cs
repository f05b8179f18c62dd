using System.Collections;
using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace CinematicSwitch.ServiceDefaults.Options;

/// <summary>
/// Which configuration keys bind to nothing. The binder ignores a key that matches no property, so a misspelt
/// environment variable (Kafka__BootstrapServer) would otherwise leave its option at the default without a word.
/// </summary>
public static class ConfigurationKeys
{
    /// <summary>
    /// The full paths of the keys under <paramref name="section"/> that no property of <paramref name="optionsType"/>
    /// (or of its nested options, dictionaries and lists) would take, the way ConfigurationBinder matches them:
    /// property names case-insensitively, dictionary keys freely, list items by index. Sections whose path is in
    /// <paramref name="boundElsewhere"/> belong to other options types and are skipped.
    /// </summary>
    public static IReadOnlyList<string> Unknown(IConfigurationSection section, Type optionsType, IEnumerable<string>? boundElsewhere = null)
    {
        var unknown = new List<string>();
        var skip = new HashSet<string>(boundElsewhere ?? [], StringComparer.OrdinalIgnoreCase);
        Walk(section, optionsType, skip, unknown);
        return unknown;
    }

    private static void Walk(IConfigurationSection node, Type type, HashSet<string> skip, List<string> unknown)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        foreach (var child in node.GetChildren())
        {
            if (skip.Contains(child.Path))
            {
                continue;
            }

            if (ChildType(type, child.Key) is { } childType)
            {
                Walk(child, childType, skip, unknown);
            }
            else
            {
                unknown.Add(child.Path);
            }
        }
    }

    /// <summary>The type a child key binds to, or null when nothing takes it.</summary>
    private static Type? ChildType(Type type, string key)
    {
        if (IsScalar(type))
        {
            return null;
        }

        if (DictionaryValueType(type) is { } valueType)
        {
            return valueType;
        }

        if (ElementType(type) is { } elementType)
        {
            return int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out _) ? elementType : null;
        }

        var property = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).FirstOrDefault(p =>
            p.GetIndexParameters().Length == 0 && p.GetMethod is { IsPublic: true }
            && string.Equals(p.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? p.Name, key, StringComparison.OrdinalIgnoreCase));
        return property is not null && IsBindable(property) ? property.PropertyType : null;
    }

    /// <summary>The binder sets properties with a public setter, and fills the objects and collections of get-only ones.</summary>
    private static bool IsBindable(PropertyInfo property)
    {
        if (property.SetMethod is { IsPublic: true })
        {
            return true;
        }

        var type = property.PropertyType;
        return !IsScalar(type) && !type.IsInterface && !type.IsArray;
    }

    private static bool IsScalar(Type type) =>
        type == typeof(string) || type.IsPrimitive || type.IsEnum || TypeDescriptor.GetConverter(type).CanConvertFrom(typeof(string));

    private static Type? DictionaryValueType(Type type) =>
        Generic(type, typeof(IDictionary<,>)) is { } dictionary ? dictionary.GetGenericArguments()[1]
        : Generic(type, typeof(IReadOnlyDictionary<,>)) is { } readOnly ? readOnly.GetGenericArguments()[1]
        : null;

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType()
        : typeof(IEnumerable).IsAssignableFrom(type) && Generic(type, typeof(IEnumerable<>)) is { } sequence ? sequence.GetGenericArguments()[0]
        : null;

    private static Type? Generic(Type type, Type definition) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == definition
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == definition);
}
