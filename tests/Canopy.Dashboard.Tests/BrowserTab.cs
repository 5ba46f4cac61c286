using Microsoft.Playwright;

namespace Canopy.Dashboard.Tests;

/// <summary>A page in a browser context of its own (own sessionStorage, own viewport); closing it closes the context.</summary>
public sealed class BrowserTab(IBrowserContext context, IPage page) : IAsyncDisposable
{
    public IPage Page { get; } = page;

    public ValueTask DisposeAsync() => context.DisposeAsync();
}
