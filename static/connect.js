// The connect page. No framework, no inline script: the server's CSP allows only this file.
"use strict";

const STRINGS = {
  en: {
    title: "Connect your accounts", connect: "Connect", disconnect: "Disconnect", reconnect: "Reconnect",
    notLinked: "Not connected", linkedAs: "Connected as {name}", needsReconnect: "Needs reconnecting: {reason}",
    done: "Done", sandbox: "Use a sandbox account", handle: "Handle", appPassword: "App password",
    pds: "PDS URL (optional)", cancel: "Cancel", connectBluesky: "Connect Bluesky", loading: "Loading…",
    linked: "{platform} is connected.", unlinked: "{platform} was disconnected.",
    ended: "Your session has ended. Open your link again, or ask for a new one.",
    closed: "All set. You can close this window.", failed: "Something went wrong. Try again.",
    appPasswordHint: "Create one in Bluesky under Settings → Privacy and security → App passwords. Never use your main password.",
    nothing: "No platforms can be connected here right now.",
    reason_refused: "{platform} did not accept the sign-in. Check what you entered and try again.", reason_declined: "You declined access at {platform}. Nothing was connected.",
    reason_expired: "This sign-in expired or was already used. Try connecting again.", reason_unreachable: "{platform} could not be reached just now. Try again in a few minutes.",
    reason_misconfigured: "{platform} is not set up correctly here. Please tell the service that sent you this link.",
    reason_limited: "Too many attempts. Wait a minute, then try again.", reason_ended: "{platform} ended this connection",
  },
  es: {
    title: "Conecta tus cuentas", connect: "Conectar", disconnect: "Desconectar", reconnect: "Reconectar",
    notLinked: "Sin conectar", linkedAs: "Conectado como {name}", needsReconnect: "Hay que reconectar: {reason}",
    done: "Listo", sandbox: "Usar una cuenta de prueba", handle: "Usuario", appPassword: "Contraseña de aplicación",
    pds: "URL del PDS (opcional)", cancel: "Cancelar", connectBluesky: "Conectar Bluesky", loading: "Cargando…",
    linked: "{platform} está conectado.", unlinked: "{platform} se ha desconectado.",
    ended: "Tu sesión ha terminado. Abre tu enlace de nuevo o pide uno nuevo.",
    closed: "Todo listo. Puedes cerrar esta ventana.", failed: "Algo salió mal. Inténtalo de nuevo.",
    appPasswordHint: "Créala en Bluesky en Ajustes → Privacidad y seguridad → Contraseñas de aplicación. Nunca uses tu contraseña principal.",
    nothing: "Ahora mismo no se puede conectar ninguna plataforma.",
    reason_refused: "{platform} no aceptó el inicio de sesión. Revisa lo que escribiste e inténtalo de nuevo.", reason_declined: "Rechazaste el acceso en {platform}. No se conectó nada.",
    reason_expired: "Este inicio de sesión caducó o ya se usó. Intenta conectar de nuevo.", reason_unreachable: "No se pudo contactar con {platform}. Inténtalo de nuevo en unos minutos.",
    reason_misconfigured: "{platform} no está bien configurado aquí. Avisa al servicio que te envió este enlace.", reason_limited: "Demasiados intentos. Espera un minuto y vuelve a intentarlo.", reason_ended: "{platform} terminó esta conexión",
  },
  de: {
    title: "Verbinde deine Konten", connect: "Verbinden", disconnect: "Trennen", reconnect: "Neu verbinden",
    notLinked: "Nicht verbunden", linkedAs: "Verbunden als {name}", needsReconnect: "Neu verbinden nötig: {reason}",
    done: "Fertig", sandbox: "Testkonto verwenden", handle: "Handle", appPassword: "App-Passwort",
    pds: "PDS-URL (optional)", cancel: "Abbrechen", connectBluesky: "Bluesky verbinden", loading: "Wird geladen…",
    linked: "{platform} ist verbunden.", unlinked: "{platform} wurde getrennt.",
    ended: "Deine Sitzung ist beendet. Öffne deinen Link erneut oder fordere einen neuen an.",
    closed: "Alles erledigt. Du kannst dieses Fenster schließen.", failed: "Etwas ist schiefgelaufen. Versuche es erneut.",
    appPasswordHint: "Erstelle es in Bluesky unter Einstellungen → Privatsphäre und Sicherheit → App-Passwörter. Nie das Hauptpasswort verwenden.",
    nothing: "Hier kann gerade keine Plattform verbunden werden.",
    reason_refused: "{platform} hat die Anmeldung nicht akzeptiert. Prüfe deine Eingaben und versuche es erneut.", reason_declined: "Du hast den Zugriff bei {platform} abgelehnt. Es wurde nichts verbunden.",
    reason_expired: "Diese Anmeldung ist abgelaufen oder wurde schon verwendet. Versuche es erneut.", reason_unreachable: "{platform} ist gerade nicht erreichbar. Versuche es in ein paar Minuten erneut.",
    reason_misconfigured: "{platform} ist hier nicht richtig eingerichtet. Bitte sag dem Dienst Bescheid, der dir diesen Link geschickt hat.", reason_limited: "Zu viele Versuche. Warte eine Minute und versuche es dann erneut.", reason_ended: "{platform} hat diese Verbindung beendet",
  },
  fr: {
    title: "Connectez vos comptes", connect: "Connecter", disconnect: "Déconnecter", reconnect: "Reconnecter",
    notLinked: "Non connecté", linkedAs: "Connecté en tant que {name}", needsReconnect: "À reconnecter : {reason}",
    done: "Terminé", sandbox: "Utiliser un compte de test", handle: "Identifiant", appPassword: "Mot de passe d'application",
    pds: "URL du PDS (facultatif)", cancel: "Annuler", connectBluesky: "Connecter Bluesky", loading: "Chargement…",
    linked: "{platform} est connecté.", unlinked: "{platform} a été déconnecté.",
    ended: "Votre session est terminée. Rouvrez votre lien ou demandez-en un nouveau.",
    closed: "C'est fait. Vous pouvez fermer cette fenêtre.", failed: "Une erreur est survenue. Réessayez.",
    appPasswordHint: "Créez-le dans Bluesky sous Paramètres → Confidentialité et sécurité → Mots de passe d'application. N'utilisez jamais votre mot de passe principal.",
    nothing: "Aucune plateforme ne peut être connectée ici pour le moment.",
    reason_refused: "{platform} n'a pas accepté la connexion. Vérifiez ce que vous avez saisi et réessayez.", reason_declined: "Vous avez refusé l'accès sur {platform}. Rien n'a été connecté.",
    reason_expired: "Cette connexion a expiré ou a déjà été utilisée. Réessayez.", reason_unreachable: "{platform} est injoignable pour le moment. Réessayez dans quelques minutes.",
    reason_misconfigured: "{platform} n'est pas correctement configuré ici. Prévenez le service qui vous a envoyé ce lien.", reason_limited: "Trop de tentatives. Attendez une minute, puis réessayez.", reason_ended: "{platform} a mis fin à cette connexion",
  },
  pt: {
    title: "Conecte suas contas", connect: "Conectar", disconnect: "Desconectar", reconnect: "Reconectar",
    notLinked: "Não conectado", linkedAs: "Conectado como {name}", needsReconnect: "Precisa reconectar: {reason}",
    done: "Concluir", sandbox: "Usar uma conta de teste", handle: "Usuário", appPassword: "Senha de app",
    pds: "URL do PDS (opcional)", cancel: "Cancelar", connectBluesky: "Conectar Bluesky", loading: "Carregando…",
    linked: "{platform} está conectado.", unlinked: "{platform} foi desconectado.",
    ended: "Sua sessão terminou. Abra seu link novamente ou peça um novo.",
    closed: "Tudo pronto. Você pode fechar esta janela.", failed: "Algo deu errado. Tente novamente.",
    appPasswordHint: "Crie uma no Bluesky em Configurações → Privacidade e segurança → Senhas de app. Nunca use sua senha principal.",
    nothing: "Nenhuma plataforma pode ser conectada aqui agora.",
    reason_refused: "{platform} não aceitou o login. Confira o que você digitou e tente novamente.", reason_declined: "Você recusou o acesso no {platform}. Nada foi conectado.",
    reason_expired: "Este login expirou ou já foi usado. Tente conectar novamente.", reason_unreachable: "Não foi possível falar com {platform} agora. Tente novamente em alguns minutos.",
    reason_misconfigured: "{platform} não está configurado corretamente aqui. Avise o serviço que enviou este link.", reason_limited: "Tentativas demais. Espere um minuto e tente novamente.", reason_ended: "{platform} encerrou esta conexão",
  },
  pl: {
    title: "Połącz swoje konta", connect: "Połącz", disconnect: "Rozłącz", reconnect: "Połącz ponownie",
    notLinked: "Niepołączone", linkedAs: "Połączono jako {name}", needsReconnect: "Wymaga ponownego połączenia: {reason}",
    done: "Gotowe", sandbox: "Użyj konta testowego", handle: "Nazwa użytkownika", appPassword: "Hasło aplikacji",
    pds: "Adres PDS (opcjonalnie)", cancel: "Anuluj", connectBluesky: "Połącz Bluesky", loading: "Ładowanie…",
    linked: "{platform} jest połączone.", unlinked: "{platform} zostało rozłączone.",
    ended: "Sesja wygasła. Otwórz link ponownie lub poproś o nowy.",
    closed: "Gotowe. Możesz zamknąć to okno.", failed: "Coś poszło nie tak. Spróbuj ponownie.",
    appPasswordHint: "Utwórz je w Bluesky: Ustawienia → Prywatność i bezpieczeństwo → Hasła aplikacji. Nigdy nie używaj głównego hasła.",
    nothing: "Obecnie nie można tu połączyć żadnej platformy.",
    reason_refused: "{platform} nie przyjął logowania. Sprawdź wpisane dane i spróbuj ponownie.", reason_declined: "Odmówiono dostępu w {platform}. Nic nie zostało połączone.",
    reason_expired: "To logowanie wygasło lub zostało już użyte. Spróbuj połączyć ponownie.", reason_unreachable: "Nie można teraz połączyć się z {platform}. Spróbuj ponownie za kilka minut.",
    reason_misconfigured: "{platform} nie jest tu poprawnie skonfigurowany. Powiadom serwis, który wysłał ten link.", reason_limited: "Zbyt wiele prób. Odczekaj minutę i spróbuj ponownie.", reason_ended: "{platform} zakończył to połączenie",
  },
  tr: {
    title: "Hesaplarınızı bağlayın", connect: "Bağla", disconnect: "Bağlantıyı kes", reconnect: "Yeniden bağla",
    notLinked: "Bağlı değil", linkedAs: "{name} olarak bağlı", needsReconnect: "Yeniden bağlanmalı: {reason}",
    done: "Bitti", sandbox: "Test hesabı kullan", handle: "Kullanıcı adı", appPassword: "Uygulama şifresi",
    pds: "PDS adresi (isteğe bağlı)", cancel: "İptal", connectBluesky: "Bluesky'ı bağla", loading: "Yükleniyor…",
    linked: "{platform} bağlandı.", unlinked: "{platform} bağlantısı kesildi.",
    ended: "Oturumunuz sona erdi. Bağlantınızı yeniden açın veya yenisini isteyin.",
    closed: "Tamamlandı. Bu pencereyi kapatabilirsiniz.", failed: "Bir şeyler ters gitti. Tekrar deneyin.",
    appPasswordHint: "Bluesky'da Ayarlar → Gizlilik ve güvenlik → Uygulama şifreleri altında oluşturun. Ana şifrenizi asla kullanmayın.",
    nothing: "Şu anda burada hiçbir platform bağlanamaz.",
    reason_refused: "{platform} girişi kabul etmedi. Girdiklerinizi kontrol edip tekrar deneyin.", reason_declined: "{platform} üzerinde erişimi reddettiniz. Hiçbir şey bağlanmadı.",
    reason_expired: "Bu giriş süresi doldu veya zaten kullanıldı. Tekrar bağlanmayı deneyin.", reason_unreachable: "{platform} şu anda erişilemiyor. Birkaç dakika sonra tekrar deneyin.",
    reason_misconfigured: "{platform} burada doğru ayarlanmamış. Bu bağlantıyı gönderen hizmete haber verin.", reason_limited: "Çok fazla deneme. Bir dakika bekleyip tekrar deneyin.", reason_ended: "{platform} bu bağlantıyı sonlandırdı",
  },
};

let session = null;

const $ = (id) => document.getElementById(id);

function t(key, vars) {
  const labels = (session && session.labels) || {};
  const lang = STRINGS[(session && session.language) || "en"] || STRINGS.en;
  // Upload-Post clients send dot-path keys ("connect.title"); plain keys work too.
  let s = labels[key] || labels["connect." + key] || lang[key] || STRINGS.en[key] || key;
  for (const [k, v] of Object.entries(vars || {})) s = s.split("{" + k + "}").join(v);
  return s;
}

const REASONS = ["refused", "declined", "expired", "unreachable", "misconfigured", "limited"];

/// The sentence for a failure category, naming the platform where it is known.
function reasonText(reason, platform) {
  if (!REASONS.includes(reason)) return t("failed");
  const entry = session && platform && session.platforms.find((p) => p.platform === platform);
  return t("reason_" + reason, { platform: entry ? entry.label : platform || "" });
}

function show(el, text) { el.textContent = text; el.hidden = !text; }

function notify(text) { show($("error"), ""); show($("notice"), text); }

function fail(text) { show($("notice"), ""); show($("error"), text); $("error").focus && $("error").setAttribute("tabindex", "-1"); }

async function call(method, path, body) {
  const opts = { method, headers: { "x-hitchpost-connect": "1" }, credentials: "same-origin" };
  if (body !== undefined) { opts.headers["content-type"] = "application/json"; opts.body = JSON.stringify(body); }
  let res;
  try { res = await fetch(path, opts); } catch (e) { throw new Error(t("failed")); }
  let data = null;
  try { data = await res.json(); } catch (e) { data = null; }
  if (res.status === 401) { ended(); throw new Error(t("ended")); }
  // The provider's own words (data.error) are for the platform's developers, not this person:
  // a failure category is shown in the person's language.
  if (!res.ok) throw new Error(data && data.reason ? reasonText(data.reason, path.split("/").pop()) : (data && data.error) || t("failed"));
  return data;
}

function ended() {
  session = null;
  $("platforms").replaceChildren();
  $("bluesky-form").hidden = true;
  $("done").hidden = true;
  $("loading").hidden = true;
  fail(t("ended"));
}

function button(text, action, platform, primary) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = text;
  b.dataset.action = action;
  b.dataset.platform = platform;
  if (primary) b.className = "primary";
  return b;
}

function render() {
  document.documentElement.lang = session.language || "en";
  document.title = session.title || t("title");
  show($("title"), session.title || t("title"));
  show($("description"), session.description || "");
  const logo = $("logo");
  if (session.logoUrl) { logo.src = session.logoUrl; logo.hidden = false; } else { logo.hidden = true; }
  $("done").textContent = session.buttonText || t("done");
  $("done").hidden = false;
  $("loading").hidden = true;
  $("bsky-handle-label").textContent = t("handle");
  $("bsky-password-label").textContent = t("appPassword");
  $("bsky-password-hint").textContent = t("appPasswordHint");
  $("bsky-pds-label").textContent = t("pds");
  $("bsky-submit").textContent = t("connect");
  $("bsky-cancel").textContent = t("cancel");
  $("bluesky-heading").textContent = t("connectBluesky");

  const list = $("platforms");
  list.replaceChildren();
  if (!session.platforms.length) { notify(t("nothing")); }
  for (const p of session.platforms) {
    const li = document.createElement("li");
    li.className = "platform";
    li.dataset.platform = p.platform;
    const a = p.account;
    let avatar;
    if (a && a.imageUrl) {
      avatar = document.createElement("img");
      avatar.src = a.imageUrl;
      avatar.alt = "";
    } else {
      avatar = document.createElement("span");
      avatar.className = "badge";
      avatar.setAttribute("aria-hidden", "true");
      avatar.textContent = p.label.charAt(0);
    }
    const who = document.createElement("div");
    who.className = "who";
    const name = document.createElement("div");
    name.className = "name";
    name.textContent = p.label;
    const state = document.createElement("div");
    state.className = "state";
    const buttons = document.createElement("div");
    buttons.className = "buttons";
    if (a && a.needsReconnect) {
      li.classList.add("reconnect");
      li.dataset.state = "reconnect";
      state.textContent = t("needsReconnect", { reason: t("reason_ended", { platform: p.label }) });
      buttons.append(button(t("reconnect"), "connect", p.platform, true), button(t("disconnect"), "disconnect", p.platform));
    } else if (a) {
      li.classList.add("linked");
      li.dataset.state = "linked";
      // A handle only where the platform has handles (the server leaves username empty where it
      // has none, as at LinkedIn); else the person's name there.
      state.textContent = t("linkedAs", { name: a.username ? "@" + a.username : a.displayName || "" });
      buttons.append(button(t("disconnect"), "disconnect", p.platform));
    } else {
      li.dataset.state = "unlinked";
      state.textContent = t("notLinked");
      buttons.append(button(t("connect"), "connect", p.platform, true));
    }
    if (p.platform === "bluesky" && p.sandboxAvailable && !a) {
      buttons.append(button(t("sandbox"), "sandbox", p.platform));
    }
    who.append(name, state);
    li.append(avatar, who, buttons);
    list.append(li);
  }
}

async function onAction(ev) {
  const b = ev.target.closest("button[data-action]");
  if (!b) return;
  const platform = b.dataset.platform;
  const entry = session.platforms.find((p) => p.platform === platform);
  const label = entry ? entry.label : platform;
  if (b.dataset.action === "connect") {
    if (entry.method === "oauth") { window.location.assign("/connect/start/" + encodeURIComponent(platform)); return; }
    if (entry.method === "credentials") { openBluesky(); return; }
  }
  b.disabled = true;
  try {
    if (b.dataset.action === "disconnect") {
      session = await call("DELETE", "/connect/api/accounts/" + encodeURIComponent(platform));
      render();
      notify(t("unlinked", { platform: label }));
    } else {
      session = await call("POST", "/connect/api/accounts/" + encodeURIComponent(platform), { sandbox: true });
      render();
      notify(t("linked", { platform: label }));
    }
  } catch (e) {
    if (session) fail(e.message);
  } finally {
    b.disabled = false;
  }
}

function openBluesky() {
  const form = $("bluesky-form");
  form.hidden = false;
  $("bsky-handle").focus();
}

async function onBluesky(ev) {
  ev.preventDefault();
  const submit = $("bsky-submit");
  submit.disabled = true;
  try {
    session = await call("POST", "/connect/api/accounts/bluesky", {
      handle: $("bsky-handle").value, appPassword: $("bsky-password").value, pdsUrl: $("bsky-pds").value || null,
    });
    $("bsky-password").value = "";
    $("bluesky-form").hidden = true;
    render();
    notify(t("linked", { platform: "Bluesky" }));
  } catch (e) {
    if (session) fail(e.message);
  } finally {
    submit.disabled = false;
  }
}

async function onDone() {
  $("done").disabled = true;
  try {
    const res = await call("POST", "/connect/api/done");
    if (res.url) { window.location.assign(res.url); return; }
    $("platforms").replaceChildren();
    $("done").hidden = true;
    show($("notice"), "");
    show($("closed"), t("closed"));
  } catch (e) {
    if (session) fail(e.message);
    $("done").disabled = false;
  }
}

async function start() {
  document.addEventListener("click", onAction);
  $("bluesky-form").addEventListener("submit", onBluesky);
  $("bsky-cancel").addEventListener("click", () => { $("bluesky-form").hidden = true; });
  $("done").addEventListener("click", onDone);
  try {
    session = await call("GET", "/connect/api/session");
  } catch (e) {
    return;
  }
  render();
  const q = new URLSearchParams(window.location.search);
  if (q.get("error")) fail(reasonText(q.get("error"), q.get("platform")));
  // Only codes come through the address bar, never text to show: an unknown one shows nothing.
  if (q.get("linked")) {
    const entry = session.platforms.find((p) => p.platform === q.get("linked"));
    if (entry) notify(t("linked", { platform: entry.label }));
  }
  if (q.toString()) history.replaceState(null, "", "/connect/app");
}

start();
