# Why a feed could not be read, or a post delivered: the reasons stored with a feed and a server,
# shown after a colon in /feeds list, /feeds status, /digest status and the notices. Quoted
# $detail is someone else's text (a parser's or Discord's message), shown as it came.

## A feed's fetch

reason-http-status = { $code ->
    [401] the server asks for a login (HTTP 401)
    [403] the server refuses access (HTTP 403)
    [404] nothing at this address (HTTP 404)
    [410] the feed was removed for good (HTTP 410)
    [429] the server says we ask too often (HTTP 429)
   *[other] the server answered HTTP { $code }
}
reason-http-server-error = the server had an error (HTTP { $code })
reason-connect-timeout = no connection within { $seconds } s
reason-timeout = no complete answer within { $seconds } s
reason-connection-refused = the server refused the connection
reason-connect-failed = could not connect ({ $detail })
reason-network = the connection broke off ({ $detail })
reason-too-many-redirects = more than { $limit } redirects
reason-too-large = larger than { $mib } MiB
reason-refused-private = { $address } is a private address, which this bot is not set to fetch
reason-refused-always = { $address } is a link-local or cloud metadata address, which is never fetched
reason-bad-address = not a usable web address
reason-address-empty = no address was given
reason-address-no-scheme = the address does not start with https:// or http://
reason-address-no-scheme-guess = the address does not start with https:// or http:// (did you mean { $suggestion }?)
reason-address-no-host = the address has no host name after its ://
reason-address-bad-host = the host in the address is not a valid domain name or IP address
reason-address-bad-port = the port in the address is not a number from 0 to 65535
reason-address-bad-redirect = the server redirected to { $location }, which is not a valid web address
reason-unsupported-scheme = only http and https addresses are fetched, not { $scheme }
reason-host-busy = the site already had its share of requests; next turn in { $seconds } s
reason-file = the file cannot be read ({ $detail })

## A feed's document

reason-not-a-feed = not a feed ({ $detail })
reason-parser-crashed = the feed reader failed on this document ({ $detail })

## Looking for the feed at an address a moderator gave

reason-not-modified = the server answered a first request with "not modified" (HTTP 304)
reason-no-feed-on-page = a web page that names no feed, and none of the usual feed addresses on its site is one
reason-linked-not-usable = the page names { $url } as its feed, but that cannot be read: { $why }
reason-no-title = the page has no title to show
reason-empty-feed = the feed has no item with a title

## A daily post's delivery

reason-missing-permissions = the bot lacks a permission it needs in the channel (Discord 403: Missing Permissions)
reason-missing-access = the bot cannot see the channel (Discord 403: Missing Access)
reason-unknown-channel = the channel no longer exists (Discord 404: Unknown Channel)
reason-discord-refused = Discord refused the post (HTTP { $status }: { $detail })

## Either, as an older version stored it

reason-other = { $detail }
