using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.ServiceDefaults.Options;

public static class ValidatedOptions
{
    /// <summary>
    /// Binds a configuration section to <typeparamref name="T"/> and validates it when the host starts,
    /// so a bad option stops startup with its full configuration path in the message (e.g. "Kafka:BootstrapServers").
    /// A key in the section that is no option of <typeparamref name="T"/> (a misspelling) stops it too.
    /// </summary>
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, string sectionName)
        where T : class
    {
        services.ValidateOptionsSection<T>(sectionName);
        return services.AddOptions<T>().BindConfiguration(sectionName);
    }

    /// <summary>As <see cref="AddValidatedOptions{T}(IServiceCollection, string)"/>, over a configuration given explicitly
    /// (for libraries whose entry point takes one, and hosts that register none).</summary>
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, IConfiguration configuration, string sectionName)
        where T : class
    {
        services.ValidateOptionsSection<T>(sectionName, configuration);
        return services.AddOptions<T>().Bind(configuration.GetSection(sectionName));
    }

    /// <summary>
    /// The checks of <see cref="AddValidatedOptions{T}(IServiceCollection, string)"/> for a section that another library binds
    /// itself: failures named by path, unknown keys refused, at startup. Nothing is bound a second time.
    /// </summary>
    public static IServiceCollection ValidateOptionsSection<T>(this IServiceCollection services, string sectionName, IConfiguration? configuration = null)
        where T : class
    {
        services.AddSingleton(new OptionsSection(sectionName, typeof(T)));
        services.AddSingleton<IValidateOptions<T>>(sp => new SectionValidator<T>(
            sectionName, configuration ?? sp.GetService<IConfiguration>(), sp.GetServices<OptionsSection>().ToList()));
        services.AddOptions<T>().ValidateOnStart();
        return services;
    }
}

/// <summary>A configuration section bound to an options type, as registered with the service (one entry per binding).</summary>
public sealed record OptionsSection(string Path, Type OptionsType);

/// <summary>Runs DataAnnotations over an options object and its nested option objects, naming each failure by path,
/// and refuses configuration keys in the section that bind to nothing.</summary>
internal sealed class SectionValidator<T>(string sectionName, IConfiguration? configuration, IReadOnlyList<OptionsSection> sections)
    : IValidateOptions<T>
    where T : class
{
    public ValidateOptionsResult Validate(string? name, T options)
    {
        var failures = new List<string>();
        Collect(options, sectionName, failures);
        if (configuration is not null)
        {
            failures.AddRange(UnknownKeys(configuration).Select(path =>
                $"{path}: no such option (misspelt, or in the wrong section?)"));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Keys unknown to every type bound at this path; sections bound on their own below it are theirs to check.</summary>
    private IEnumerable<string> UnknownKeys(IConfiguration root)
    {
        var here = sections.Where(s => Same(s.Path, sectionName)).Select(s => s.OptionsType).DefaultIfEmpty(typeof(T)).Distinct();
        var below = sections.Where(s => !Same(s.Path, sectionName)).Select(s => s.Path).ToList();
        var section = root.GetSection(sectionName);
        return here
            .Select(type => ConfigurationKeys.Unknown(section, type, below))
            .Aggregate((a, b) => a.Intersect(b, StringComparer.OrdinalIgnoreCase).ToList());
    }

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static void Collect(object instance, string path, List<string> failures)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(instance, new ValidationContext(instance), results, validateAllProperties: true);
        foreach (var result in results)
        {
            var members = result.MemberNames.Any() ? result.MemberNames : [""];
            failures.AddRange(members.Select(member => Named(member.Length == 0 ? path : $"{path}:{member}", result.ErrorMessage)));
        }

        if (instance is IValidatableOptions custom)
        {
            failures.AddRange(custom.Validate().Select(f => $"{path}:{f}"));
        }

        foreach (var property in instance.GetType().GetProperties())
        {
            if (property.GetIndexParameters().Length == 0
                && property.PropertyType.IsClass
                && property.PropertyType != typeof(string)
                && property.PropertyType.Namespace?.StartsWith("CinematicSwitch", StringComparison.Ordinal) == true
                && property.GetValue(instance) is { } nested)
            {
                Collect(nested, $"{path}:{property.Name}", failures);
            }
        }
    }

    /// <summary>"path: message", unless the message already starts with the path (options that name themselves).</summary>
    private static string Named(string path, string? message) =>
        message is not null && message.StartsWith(path, StringComparison.OrdinalIgnoreCase) ? message : $"{path}: {message}";
}

/// <summary>Cross-field rules that attributes cannot express; each failure starts with the member it concerns.</summary>
public interface IValidatableOptions
{
    IEnumerable<string> Validate();
}
