using System.Reflection;
using System.Text.RegularExpressions;
using CinematicSwitch.Deployment.Tests.Support;
using CinematicSwitch.ServiceDefaults.Options;
using CinematicSwitch.ServiceDefaults.Topology;

namespace CinematicSwitch.Deployment.Tests;

/// <summary>docs/configuration.md names every section each service binds and every option in it, so it cannot fall behind the code.</summary>
public sealed class ConfigurationReferenceTests
{
    [Fact]
    public async Task The_reference_names_every_section_and_option_the_services_bind()
    {
        var reference = await File.ReadAllTextAsync(Repository.File("docs", "configuration.md"));
        var compose = await ComposeFile.LoadAsync();
        var sections = new List<OptionsSection> { new(TopologyOptions.SectionName, typeof(TopologyOptions)) };
        foreach (var service in DeployedService.All)
        {
            sections.AddRange(await ConfigurationCheck.SectionsAsync(service, compose.Environment(service.ComposeName)));
        }

        var missing = new List<string>();
        foreach (var section in sections.DistinctBy(s => (s.Path, s.OptionsType)))
        {
            if (!reference.Contains($"`{section.Path}", StringComparison.Ordinal))
            {
                missing.Add($"section {section.Path}");
            }

            missing.AddRange(OptionNames(section.OptionsType)
                .Where(name => !Regex.IsMatch(reference, $@"[`:_/ ]{name}[`:_/ =]"))
                .Select(name => $"{section.Path}: {name}"));
        }

        Assert.Empty(missing);
    }

    /// <summary>The names of the options a type binds: its settable scalars, lists and dictionaries, and those of its nested options.</summary>
    private static IEnumerable<string> OptionNames(Type type)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0))
        {
            var propertyType = property.PropertyType;
            var element = propertyType.IsGenericType ? propertyType.GetGenericArguments()[^1] : null;
            if (IsOptions(propertyType))
            {
                foreach (var nested in OptionNames(propertyType))
                {
                    yield return nested;
                }
            }
            else if (element is not null && IsOptions(element))
            {
                yield return property.Name;
                foreach (var nested in OptionNames(element))
                {
                    yield return nested;
                }
            }
            else if (property.SetMethod is { IsPublic: true })
            {
                yield return property.Name;
            }
        }
    }

    private static bool IsOptions(Type type) =>
        type.IsClass && type != typeof(string) && type.Namespace?.StartsWith("CinematicSwitch", StringComparison.Ordinal) == true;
}
