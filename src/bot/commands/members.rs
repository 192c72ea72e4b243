use crate::bot::reply::{self, display_name, guild, reader};
use crate::bot::Context;
use crate::domain::ids::UserId;
use crate::error::Error;
use crate::message::{msg, Arg};
use crate::render::discord::message_text;
use crate::render::discord::{leaderboard_embed, member_record_embed};
use crate::render::i18n::{t, Locale};

/// `/me web:`: whether the member appears on the tally page's leaderboard.
#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum WebChoice {
    #[name = "show"]
    Show,
    #[name = "hide"]
    Hide,
}

#[poise::command(slash_command, guild_only)]
pub async fn me(ctx: Context<'_>, hide: Option<bool>, web: Option<WebChoice>) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    let app = &ctx.data().app;
    let user = UserId(ctx.author().id.get());
    if let Some(hide) = hide {
        app.set_leaderboard_hidden(settings.id, user, hide).await?;
    }
    if let Some(web) = web {
        let locale = reader(ctx, settings.language);
        let text = match web {
            WebChoice::Show => {
                let name = display_name(ctx);
                app.show_on_site(settings.id, user, &name, app.now()).await?;
                message_text(locale, &msg!("web-me-shown", name = Arg::untrusted(name)))
            }
            WebChoice::Hide => {
                app.hide_from_site(settings.id, user).await?;
                t!(locale, "web-me-hidden")
            }
        };
        ctx.send(reply::text(text).ephemeral(true)).await?;
        return Ok(());
    }
    let today = app.local_today(&settings, app.now());
    let record = app.member_record(settings.id, user, today).await?;
    let embed = member_record_embed(&record, reader(ctx, settings.language));
    ctx.send(reply::embed(embed).ephemeral(true)).await?;
    Ok(())
}

#[poise::command(slash_command, guild_only)]
pub async fn leaderboard(
    ctx: Context<'_>,
    #[min = 1]
    #[max = 100]
    page: Option<u32>,
) -> Result<(), Error> {
    let settings = guild(ctx).await?;
    let app = &ctx.data().app;
    let today = app.local_today(&settings, app.now());
    let standings = app.leaderboard(settings.id, today).await?;
    let embed = leaderboard_embed(&standings, page, Locale::of(settings.language));
    ctx.send(reply::embed(embed)).await?;
    Ok(())
}
