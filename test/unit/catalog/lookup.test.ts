// Provider availability from configuration: secrets, base URL overrides, placeholders.
import { describe, expect, it } from 'vitest'
import { envPrefix, providerConfigs } from '../../../src/catalog/lookup.ts'

const configsFor = (vars: Record<string, string>) => providerConfigs(vars as unknown as Env)

describe('providerConfigs', () => {
  it('derives <ID>_API_KEY and <ID>_BASE_URL names', () => {
    expect(envPrefix('deepinfra')).toBe('DEEPINFRA')
    expect(envPrefix('fake-eu')).toBe('FAKE_EU')
  })

  it('a provider without its secret is unavailable; one with it uses its base URL or the override', () => {
    const none = configsFor({})
    expect(none.get('openai')).toMatchObject({ unavailable: 'no_api_key', baseUrl: 'https://api.openai.com/v1' })
    expect(none.get('fake')?.unavailable).toBeUndefined() // needs no key
    const set = configsFor({ OPENAI_API_KEY: 'sk-x', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' })
    expect(set.get('openai')).toEqual({ apiKey: 'sk-x', baseUrl: 'http://127.0.0.1:9/v1' })
  })

  it('azure needs its base URL too: its default is a placeholder', () => {
    expect(configsFor({ AZURE_API_KEY: 'k' }).get('azure')?.unavailable).toBe('no_base_url')
    expect(configsFor({ AZURE_API_KEY: 'k', AZURE_BASE_URL: 'https://acme.openai.azure.com' }).get('azure')?.unavailable).toBeUndefined()
  })
})
